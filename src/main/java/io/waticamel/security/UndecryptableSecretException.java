package io.waticamel.security;

/**
 * A stored secret that neither {@code wati.secret-key} nor any key of {@code wati.secret-key.previous}
 * opens: it was encrypted with a key this runtime no longer has. The message says what to do.
 */
public class UndecryptableSecretException extends IllegalStateException {

    public UndecryptableSecretException() {
        super("The stored access token cannot be decrypted with wati.secret-key or any key of wati.secret-key.previous: "
                + "it was encrypted with another key. Add that key to wati.secret-key.previous (comma list, base64) and restart.");
    }
}
