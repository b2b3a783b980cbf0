package io.waticamel.media;

import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.QueryParameters;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The {@code files} API: turns rows of the files table (column names as the database spells them,
 * upper case on H2, lower case on PostgreSQL) into the JSON records callers get, and checks the
 * paging parameters of a listing.
 */
public class FileRecords {

    public static final int DEFAULT_PAGE_SIZE = 50;
    private static final Pattern ID = Pattern.compile("[0-9a-f-]{36}");

    /** The record as returned to callers (and in get_media's task response). */
    public static Map<String, Object> record(Map<String, Object> row) {
        Map<String, Object> column = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        column.putAll(row);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", column.get("id"));
        record.put("owner_id", column.get("owner_id"));
        record.put("caller", column.get("caller"));
        record.put("file_url", column.get("file_url"));
        record.put("file_name", column.get("file_name"));
        record.put("size", ((Number) column.get("size")).longValue());
        record.put("contentType", column.get("content_type"));
        record.put("source_file_name", column.get("source_file_name"));
        record.put("created_at", timestamp(column.get("created_at")));
        return record;
    }

    /** Before the SELECT of one file: a malformed id is simply not found (no query). */
    public boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** GET /api/v1/files/{id}: the record, or 404. */
    @SuppressWarnings("unchecked")
    public void oneResponse(Exchange exchange) throws JsonProcessingException {
        Object body = exchange.getMessage().getBody();
        String id = exchange.getMessage().getHeader("id", String.class);
        if (body instanceof Map<?, ?> row && !row.isEmpty()) {
            JsonAnswer.send(exchange, 200, record((Map<String, Object>) row));
        } else {
            JsonAnswer.error(exchange, 404, "No file with id " + (isValidId(id) ? id : "(invalid id)"));
        }
    }

    /** GET /api/v1/files?owner_id=&page=&size=: checks the query and sets headers ownerId, limit, offset. */
    public void pageRequest(Exchange exchange) throws JsonProcessingException {
        Message in = exchange.getMessage();
        String owner;
        int page;
        int size;
        try {
            QueryParameters query = QueryParameters.of(exchange, "owner_id", "page", "size");
            owner = query.text("owner_id");
            if (owner == null) {
                throw new ActionRejectedException("owner_id is required");
            } else if (!MediaNames.isValidOwnerId(owner)) {
                throw new ActionRejectedException("Invalid owner_id: " + MediaNames.OWNER_ID_RULE);
            }
            page = query.page();
            size = query.size(DEFAULT_PAGE_SIZE);
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
            exchange.setRouteStop(true);
            return;
        }
        in.setHeader("ownerId", owner.strip());
        in.setHeader("limit", size);
        in.setHeader("offset", (long) page * size);
        in.setHeader("page", page);
        in.setHeader("size", size);
    }

    @SuppressWarnings("unchecked")
    public void listResponse(Exchange exchange) throws JsonProcessingException {
        Message in = exchange.getMessage();
        List<Map<String, Object>> rows = in.getBody(List.class);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("owner_id", in.getHeader("ownerId"));
        answer.put("page", in.getHeader("page"));
        answer.put("size", in.getHeader("size"));
        answer.put("files", rows.stream().map(FileRecords::record).toList());
        JsonAnswer.send(exchange, 200, answer);
    }


    static String timestamp(Object value) {
        if (value instanceof Timestamp ts) {
            return DateTimeFormatter.ISO_INSTANT.format(ts.toInstant());
        }
        if (value instanceof OffsetDateTime odt) {
            return DateTimeFormatter.ISO_INSTANT.format(odt.toInstant());
        }
        if (value instanceof TemporalAccessor t) {
            return DateTimeFormatter.ISO_INSTANT.format(OffsetDateTime.from(t).withOffsetSameInstant(ZoneOffset.UTC));
        }
        return value == null ? null : value.toString();
    }
}
