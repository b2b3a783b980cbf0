package io.waticamel.pipeline;

import java.io.IOException;

import io.waticamel.files.DownloadedFile;
import io.waticamel.files.MediaDownloader;
import io.waticamel.wati.WatiRequests;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The runtime's action routes build their WATI request here (bean {@code watiRequests}); each
 * step refuses invalid fields before anything is sent. A route file's own action uses the generic
 * {@code direct:wati-call} instead.
 */
public class ActionRequests {

    private final WatiRequests requests;
    private final MediaDownloader downloader;

    public ActionRequests(WatiRequests requests, MediaDownloader downloader) {
        this.requests = requests;
        this.downloader = downloader;
    }

    public void sendSessionMessage(Exchange exchange) {
        Action action = Action.of(exchange);
        action.call(requests.sendSessionMessage(action.fields(), action.credentials()), "Successfully sent message.");
    }

    public void sendTemplateMessage(Exchange exchange) {
        Action action = Action.of(exchange);
        action.call(requests.sendTemplateMessage(action.fields(), action.credentials()), "Successfully sent message.");
    }

    public void updateContact(Exchange exchange) {
        Action action = Action.of(exchange);
        action.call(requests.updateContact(action.fields(), action.credentials()), "Successfully updated contact.");
    }

    /**
     * send_session_file: checks the fields, downloads file_url (limits enforced, spooled to a
     * temporary file removed when the exchange completes), then builds the multipart request.
     */
    public void sendSessionFile(Exchange exchange) throws IOException {
        Action action = Action.of(exchange);
        String url = requests.validateSessionFile(action.fields());
        DownloadedFile file = downloader.download(url);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                MediaDownloader.delete(file.path());
            }
        });
        action.call(requests.sendSessionFile(action.fields(), action.credentials(), file), "Successfully sent file.");
    }
}
