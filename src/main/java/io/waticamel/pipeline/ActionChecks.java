package io.waticamel.pipeline;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.waticamel.action.ActionFields;
import io.waticamel.wati.WatiCredentials;
import io.waticamel.wati.WatiRequests;
import org.apache.camel.Exchange;

/**
 * What the runtime's own actions refuse before any network call, run on its own (bean
 * {@code actionChecks}): post-action runs it before it queues an async action, after the steps
 * wati-action runs first (read, route, credentials), so what would be a 400 synchronously is a
 * 400 before the 202, with the same text. Each check is the one the action's route makes before it
 * calls out: the WATI request is built and dropped; nothing is downloaded, stored or sent. A route
 * file's action has no check here: its route runs when the action is sent.
 */
public class ActionChecks {

    private final Map<String, Consumer<Exchange>> checks;

    /**
     * @param getMedia    get_media's checks before its download (they live with get_media, above this package)
     * @param templateOptOut refuses a template to a recipient who opted out (the events package's)
     * @param templateCheck  refuses a template its account's catalogue does not have approved with these parameters
     */
    public ActionChecks(WatiRequests requests, Consumer<Exchange> getMedia, Consumer<Exchange> templateOptOut,
            Consumer<Exchange> templateCheck) {
        this.checks = Map.of(
                "send_session_message", request(requests::sendSessionMessage),
                "send_template_message", templateOptOut.andThen(templateCheck).andThen(request(requests::sendTemplateMessage)),
                "update_contact", request(requests::updateContact),
                "send_session_file", exchange -> requests.validateSessionFile(Action.of(exchange).fields()),
                "get_media", getMedia);
    }

    /** Refuses (ActionRejectedException) what the action's route would refuse before calling out. */
    public void check(Exchange exchange) {
        Consumer<Exchange> check = checks.get(Action.of(exchange).name());
        if (check != null) {
            check.accept(exchange);
        }
    }

    private static Consumer<Exchange> request(BiConsumer<ActionFields, WatiCredentials> build) {
        return exchange -> build.accept(Action.of(exchange).fields(), Action.of(exchange).credentials());
    }
}
