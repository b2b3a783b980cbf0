package io.waticamel.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class RecordOwnersTest {

    static Exchange as(String caller) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        if (caller != null) {
            exchange.getMessage().setHeader(ApiKeyAuthentication.CALLER_HEADER, caller);
        }
        return exchange;
    }

    @Test
    void theNamedAdminsSeeAllAndEveryOtherKeyOnlyItsOwn() {
        RecordOwners owners = RecordOwners.of(" ops , audit", List.of("default", "alice", "ops", "audit"));

        assertThat(owners.seesAll(as("ops"))).isTrue();
        assertThat(owners.seesAll(as("audit"))).isTrue();
        assertThat(owners.seesAll(as("alice"))).isFalse();
        assertThat(owners.seesAll(as("default"))).isFalse();
        assertThat(owners.seesAll(as(null))).isFalse();
        assertThat(owners.caller(as(null))).isEqualTo(RecordOwners.NO_CALLER);
    }

    @Test
    void aSingleKeySeesAllUnlessAdminsAreNamed() {
        assertThat(RecordOwners.of("", List.of("default")).seesAll(as("default"))).isTrue();
        assertThat(RecordOwners.of(null, List.of()).seesAll(as(ApiKeys.GENERATED_NAME))).isTrue();
        assertThat(RecordOwners.of("", List.of("default", "alice")).seesAll(as("default"))).isFalse();
        assertThat(RecordOwners.of("ops", List.of("default")).seesAll(as("default"))).isFalse();
    }

    @Test
    void scopeGivesTheSqlOfTheFilesApiTheCallerAndWhetherItSeesAll() {
        RecordOwners owners = RecordOwners.of("ops", List.of("alice", "ops"));
        Exchange alice = as("alice");
        Exchange ops = as("ops");

        owners.scope(alice);
        owners.scope(ops);

        assertThat(alice.getMessage().getHeader(RecordOwners.SEES_ALL_HEADER)).isEqualTo("no");
        assertThat(alice.getMessage().getHeader(ApiKeyAuthentication.CALLER_HEADER)).isEqualTo("alice");
        assertThat(ops.getMessage().getHeader(RecordOwners.SEES_ALL_HEADER)).isEqualTo("yes");
    }
}
