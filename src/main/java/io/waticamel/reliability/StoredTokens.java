package io.waticamel.reliability;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import io.waticamel.security.SecretBox;
import io.waticamel.security.UndecryptableSecretException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key rotation at start: every access token kept in the database (dead letters, the outbox, campaigns) that
 * only a key of {@code wati.secret-key.previous} opens is encrypted again with {@code wati.secret-key}.
 * <p>
 * At start rather than when a token is next read: after one start every token the runtime can read
 * is under the current key, so the old key can be dropped from the configuration (and a leaked old
 * key opens nothing) - re-encrypting on read would keep a letter that is never replayed under the
 * old key for ever. Reads still try the previous keys too, for rows another instance still on the
 * old key writes meanwhile. Tokens no key opens stay as they are (the right key may yet be added)
 * and are counted in a WARN, for the records that may still be sent (open dead letters, queued or
 * running async actions): their replay answers 409.
 */
public final class StoredTokens {

    private static final Logger LOG = LoggerFactory.getLogger(StoredTokens.class);

    /** A table with kept tokens, and the SQL condition of its rows that may still be sent. */
    private record Table(String name, String pending) {
    }

    private static final List<Table> TABLES = List.of(new Table("dead_letters", "status <> 'resolved'"),
            new Table("outbox", "state IN ('queued', 'claimed', 'sending')"), new Table("campaigns", "status IN ('running', 'paused')"));

    private StoredTokens() {
    }

    public static void reencrypt(DataSource db, SecretBox secrets) throws SQLException {
        try (Connection c = db.getConnection()) {
            for (Table table : TABLES) {
                reencrypt(c, table, secrets);
            }
        }
    }

    private static void reencrypt(Connection c, Table table, SecretBox secrets) throws SQLException {
        List<String[]> resealed = new ArrayList<>();
        int undecryptable = 0;
        try (PreparedStatement s = c.prepareStatement("SELECT id, token_encrypted, CASE WHEN " + table.pending()
                + " THEN 1 ELSE 0 END FROM " + table.name() + " WHERE token_encrypted IS NOT NULL");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                try {
                    Optional<String> again = secrets.resealed(rs.getString(2));
                    if (again.isPresent()) {
                        resealed.add(new String[] {rs.getString(1), rs.getString(2), again.get()});
                    }
                } catch (UndecryptableSecretException e) {
                    undecryptable += rs.getInt(3);
                }
            }
        }
        int updated = 0;
        // only if unchanged meanwhile (another instance starting, a new failure of the same letter)
        try (PreparedStatement s = c.prepareStatement("UPDATE " + table.name() + " SET token_encrypted = ? WHERE id = ? AND token_encrypted = ?")) {
            for (String[] row : resealed) {
                s.setString(1, row[2]);
                s.setString(2, row[0]);
                s.setString(3, row[1]);
                updated += s.executeUpdate();
            }
        }
        if (updated > 0) {
            LOG.info("Re-encrypted {} access token(s) in {} with the current wati.secret-key", updated, table.name());
        }
        if (undecryptable > 0) {
            LOG.warn("{} access token(s) in {} of records still to be sent cannot be decrypted with wati.secret-key or any key of "
                    + "wati.secret-key.previous: they cannot be sent (a replay answers 409) until the key that encrypted them is "
                    + "added to wati.secret-key.previous", undecryptable, table.name());
        }
    }
}
