package io.waticamel.security;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whose kept records (dead letters, async actions, files) a request may see: each belongs to the
 * API key that created it (its name, {@value ApiKeyAuthentication#CALLER_HEADER}); another key's
 * record is "not found", so its existence is not revealed. The keys named in {@code wati.api-admins}
 * see every caller's records.
 * <p>
 * With {@code wati.api-admins} empty and one API key only (wati.api-key, or the generated key),
 * that key sees all: a one-key deployment has one caller, and so keeps seeing what it saw before
 * records had callers (rows from before are the caller "default") and what runs outside the API
 * (a route file's timer: the caller "-"). A second key ends that: from then on only the names in
 * {@code wati.api-admins} see all.
 */
public final class RecordOwners {

    /** Header for SQL routes (the files API): "yes" when the caller sees every caller's records. */
    public static final String SEES_ALL_HEADER = "watiSeesAllCallers";
    /** The caller of a record not created over the API (no API key). */
    public static final String NO_CALLER = "-";
    private static final Logger LOG = LoggerFactory.getLogger(RecordOwners.class);

    private final Set<String> admins;

    private RecordOwners(Set<String> admins) {
        this.admins = Set.copyOf(admins);
    }

    /**
     * {@code adminList} (wati.api-admins, a comma list of key names) against the names of the API keys
     * configured ({@code keyNames}; none means the generated key is the only one).
     */
    public static RecordOwners of(String adminList, Collection<String> keyNames) {
        Set<String> admins = new LinkedHashSet<>();
        Arrays.stream(adminList == null ? new String[0] : adminList.split(",")).map(String::strip).filter(n -> !n.isEmpty())
                .forEach(admins::add);
        Set<String> keys = keyNames.isEmpty() ? Set.of(ApiKeys.GENERATED_NAME) : Set.copyOf(keyNames);
        for (String admin : admins) {
            if (!keys.contains(admin)) {
                // names are not secrets; a misspelt admin would otherwise silently see only its own records
                LOG.warn("wati.api-admins names '{}', which is not the name of an API key (names: {})", admin, String.join(", ", keys));
            }
        }
        if (admins.isEmpty() && keys.size() == 1) {
            admins.addAll(keys);
        }
        return new RecordOwners(admins);
    }

    /** The API key name of this request, {@value #NO_CALLER} when it came in without one. */
    public String caller(Exchange exchange) {
        String caller = exchange.getMessage().getHeader(ApiKeyAuthentication.CALLER_HEADER, String.class);
        return caller == null ? NO_CALLER : caller;
    }

    /** Whether the API key of this name sees every caller's records (and reads the metrics). */
    public boolean isAdmin(String keyName) {
        return keyName != null && admins.contains(keyName);
    }

    /** Whether this request's key sees every caller's records, or only its own. */
    public boolean seesAll(Exchange exchange) {
        return admins.contains(caller(exchange));
    }

    /**
     * Before a SQL query that shows records: the headers {@value ApiKeyAuthentication#CALLER_HEADER} (kept) and
     * {@value #SEES_ALL_HEADER} ("yes"/"no"), for {@code (caller = :#WatiApiKeyName OR :#watiSeesAllCallers = 'yes')}.
     */
    public void scope(Exchange exchange) {
        exchange.getMessage().setHeader(ApiKeyAuthentication.CALLER_HEADER, caller(exchange));
        exchange.getMessage().setHeader(SEES_ALL_HEADER, seesAll(exchange) ? "yes" : "no");
    }
}
