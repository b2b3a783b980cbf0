package io.waticamel.events;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

/** The listings of the runtime's record APIs: one page of a filtered query, times as ISO-8601 instants, texts cut to their column. */
public final class Rows {

    /** One row as its JSON record. */
    public interface Mapper {
        Map<String, Object> map(ResultSet rs) throws SQLException;
    }

    private Rows() {
    }

    /**
     * {@code select} (up to FROM) with the {@code conditions} whose value is not null ("caller = ?" ->
     * value), ordered, one page of {@code size} rows.
     */
    public static List<Map<String, Object>> page(DataSource db, String select, Map<String, Object> conditions, String orderBy, int page, int size,
            Mapper mapper) throws SQLException {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> values = new ArrayList<>();
        conditions.forEach((condition, value) -> {
            if (value != null) {
                where.append(" AND ").append(condition);
                values.add(value);
            }
        });
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(select + where + " ORDER BY " + orderBy
                + " LIMIT ? OFFSET ?")) {
            int i = 1;
            for (Object value : values) {
                s.setObject(i++, value);
            }
            s.setInt(i++, size);
            s.setLong(i, (long) page * size);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
            }
        }
        return rows;
    }

    /** The columns' times into the record, as ISO-8601 instants (null stays null). */
    public static void instants(ResultSet rs, Map<String, Object> record, String... columns) throws SQLException {
        for (String column : columns) {
            record.put(column, instant(rs.getTimestamp(column)));
        }
    }

    /** One time as an ISO-8601 instant (null stays null). */
    public static String instant(Timestamp ts) {
        return ts == null ? null : DateTimeFormatter.ISO_INSTANT.format(ts.toInstant());
    }

    /** The text cut to a column's length (null stays null). */
    public static String cut(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    /** One statement run on a connection: the rows it changed. */
    public interface Write {
        int run(Connection c) throws SQLException;
    }

    /**
     * UPDATE, else INSERT (H2 and PostgreSQL share no MERGE that fits): when the INSERT meets a row another writer put
     * there meanwhile (23505), the UPDATE is tried once more. Whether either wrote: an UPDATE with a condition (only a
     * newer change) may leave a row as it is.
     */
    public static boolean updateElseInsert(Connection c, Write update, Write insert) throws SQLException {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (update.run(c) > 0) {
                return true;
            }
            try {
                insert.run(c);
                return true;
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
            }
        }
        return false;
    }
}
