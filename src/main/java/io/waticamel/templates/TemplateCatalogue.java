package io.waticamel.templates;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionOutcome;
import io.waticamel.action.ActionRejectedException;
import io.waticamel.action.NumberedParameters;
import io.waticamel.action.TaskResult;
import io.waticamel.events.Rows;
import io.waticamel.http.JsonAnswer;
import io.waticamel.http.QueryParameters;
import io.waticamel.pipeline.Action;
import io.waticamel.wati.WatiAccounts;
import io.waticamel.wati.WatiAnswerInterpreter;
import io.waticamel.wati.WatiCredentials;
import io.waticamel.wati.WatiRetryableException;
import io.waticamel.wati.WatiRequests;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each account's template catalogue (bean {@code templates}, tables {@code template_catalogues} and
 * {@code message_templates}): loaded from WATI, all pages, refreshed every {@code wati.templates.refresh-interval},
 * and the check before a template is sent. The check refuses, before WATI is called, what WATI would refuse: a
 * name the catalogue does not have (after one fresh load, so a template approved a minute ago is not refused), a
 * template that is not approved, and parameter names that are not exactly the template's. A catalogue that cannot
 * be loaded never blocks a send: it goes out unchecked, with a warning.
 */
public class TemplateCatalogue {

    /** One page of getMessageTemplates for the credentials: WATI's answer, or an exception saying why there is none. */
    public interface Pages {
        JsonNode page(WatiCredentials credentials, int pageSize, int pageNumber) throws Exception;
    }

    /**
     * The pages through {@code direct:wati-templates-page}: the account's throttle turn and one call with the runtime's
     * one HTTP client, no retries (a send may be waiting for the catalogue: a failing WATI makes it go unchecked, not
     * wait through a retry schedule). WATI's refusal (401, 5xx, result false, ...) is an exception with WATI's reason.
     */
    public static Pages throughWati(ProducerTemplate producer, WatiRequests requests) {
        WatiAnswerInterpreter interpreter = new WatiAnswerInterpreter();
        return (credentials, pageSize, pageNumber) -> {
            Exchange done = producer.send("direct:wati-templates-page", exchange -> exchange.setVariable(Action.VARIABLE, Action.prepared(
                    ActionFields.EMPTY, "-", credentials, requests.getMessageTemplates(credentials, pageSize, pageNumber), "Templates loaded.")));
            if (done.getException() instanceof WatiRetryableException e) {
                throw new IllegalStateException(interpreter.interpret(e.status(), e.body()).reason());
            }
            if (done.getException() != null) {
                throw done.getException();
            }
            TaskResult result = Action.of(done).result();
            if (!result.run()) {
                throw new IllegalStateException(result.runText());
            }
            return result.response();
        };
    }

    /** A catalogue as loaded: its templates by name (one per language), and when. */
    record Catalogue(Instant loadedAt, Map<String, List<Template>> byName) {
        static Catalogue of(Instant loadedAt, List<Template> templates) {
            Map<String, List<Template>> byName = new LinkedHashMap<>();
            for (Template t : templates) {
                byName.computeIfAbsent(t.name(), n -> new ArrayList<>()).add(t);
            }
            return new Catalogue(loadedAt, byName);
        }

        int size() {
            return byName.values().stream().mapToInt(List::size).sum();
        }
    }

    /** What this instance knows of one catalogue, and the lock that makes concurrent loads one. */
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        volatile Catalogue catalogue;
        volatile Instant attemptedAt;
        volatile String error;
        /** Loads that succeeded: a caller that waited for the lock while one did takes its result. */
        volatile long loads;
    }

    static final int PAGE_SIZE = 100;
    /** How long a send waits for another caller's load of the same catalogue before it goes on without it. */
    static final Duration LOAD_WAIT = Duration.ofSeconds(2);
    /** How long POST /api/v1/templates/refresh waits for a load under way. */
    static final Duration FORCED_LOAD_WAIT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(TemplateCatalogue.class);

    private final DataSource db;
    private final Pages pages;
    private final WatiAccounts accounts;
    private final Supplier<Set<String>> accountNames;
    private final Clock clock;
    private final boolean validate;
    private final Duration refreshInterval;
    private final Duration recheckAfter;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param accountNames    the named accounts with an endpoint (refreshed by the timer)
     * @param validate        wati.templates.validate: whether sends are checked
     * @param refreshInterval how old a catalogue may get before it is loaded again (zero: only on demand)
     * @param recheckAfter    the least time between two loads a send asks for (a name not in the catalogue, a failed load)
     */
    public TemplateCatalogue(DataSource db, Pages pages, WatiAccounts accounts, Supplier<Set<String>> accountNames, Clock clock,
            boolean validate, Duration refreshInterval, Duration recheckAfter) {
        this.db = db;
        this.pages = pages;
        this.accounts = accounts;
        this.accountNames = accountNames;
        this.clock = clock;
        this.validate = validate;
        this.refreshInterval = refreshInterval;
        this.recheckAfter = recheckAfter;
    }

    // ---- the checks ----

    /**
     * In send-template-message (and before an async one is accepted): the action's template must be in its account's
     * catalogue, approved, and given exactly its parameter names; else 400, WATI not called.
     */
    public void check(Exchange exchange) {
        if (!validate) {
            return;
        }
        Action action = Action.of(exchange);
        String template = action.fields().get("template_name");
        if (template == null) {
            // the request builder says what is missing
            return;
        }
        List<String> given = NumberedParameters.collect(action.fields(), false).stream().map(NumberedParameters.Parameter::name).toList();
        Verdict verdict = verdict(action.credentials(), template.strip());
        String refusal = verdict.refusal() != null ? verdict.refusal() : verdict.mismatch(given);
        if (refusal != null) {
            throw new ActionRejectedException(refusal, 400, ActionOutcome.TEMPLATE_REFUSED);
        }
    }

    /**
     * What the catalogue says of a template: why it cannot be sent at all ({@code refusal}), else the approved
     * versions a send's parameter names must fit. Nothing to check (no refusal, no versions) when validation is off or
     * the catalogue could not be loaded (logged).
     */
    public record Verdict(String template, String refusal, List<Template> approved) {

        /** Why these parameter names do not fit the template, or null when they fit one approved version (or nothing is known). */
        public String mismatch(List<String> given) {
            String mismatch = null;
            for (Template t : approved) {
                mismatch = ParameterCheck.mismatch(t.parameters(), given);
                if (mismatch == null) {
                    return null;
                }
            }
            return mismatch == null ? null : "Template '" + template + "' expects the parameters " + (approved.get(0).parameters().isEmpty()
                    ? "none" : "[" + String.join(", ", approved.get(0).parameters()) + "]") + ": " + mismatch;
        }
    }

    /** The template's {@link Verdict} from the credentials' catalogue (loaded first when stale or when it lacks the name). */
    public Verdict verdict(WatiCredentials credentials, String template) {
        if (!validate) {
            return new Verdict(template, null, List.of());
        }
        Entry entry = entry(credentials);
        Catalogue catalogue = current(credentials, entry);
        List<Template> found = catalogue == null ? null : catalogue.byName().get(template);
        if (catalogue != null && found == null && !recentlyLoaded(catalogue)) {
            // approved since the last load? one fresh load before the name is refused
            catalogue = load(credentials, entry, false);
            found = catalogue == null ? null : catalogue.byName().get(template);
        }
        if (catalogue == null) {
            LOG.debug("Template '{}' for {} sent unchecked: the catalogue could not be loaded ({})", template, credentials.label(), entry.error);
            return new Verdict(template, null, List.of());
        }
        if (found == null) {
            return new Verdict(template, unknown(credentials, template, catalogue), List.of());
        }
        List<Template> approved = found.stream().filter(Template::approved).toList();
        if (approved.isEmpty()) {
            return new Verdict(template, "Template '" + template + "' is not approved: its status is " + found.stream()
                    .map(t -> t.status() + ("-".equals(t.language()) ? "" : " (" + t.language() + ")")).collect(Collectors.joining(", "))
                    + "; WATI sends only approved templates", List.of());
        }
        return new Verdict(template, null, approved);
    }

    private String unknown(WatiCredentials credentials, String template, Catalogue catalogue) {
        String sameButCase = catalogue.byName().keySet().stream().filter(n -> n.equalsIgnoreCase(template)).findFirst().orElse(null);
        return "Template '" + template + "' is not in the template catalogue of " + credentials.label() + " (" + catalogue.size()
                + " templates, loaded " + DateTimeFormatter.ISO_INSTANT.format(catalogue.loadedAt()) + ")"
                + (sameButCase != null ? ": names are case-sensitive, did you mean '" + sameButCase + "'?"
                        : ": check the name (GET /api/v1/templates?account=<name> lists them)");
    }

    private boolean recentlyLoaded(Catalogue catalogue) {
        return catalogue.loadedAt().plus(recheckAfter).isAfter(clock.instant());
    }

    private boolean stale(Catalogue catalogue) {
        return catalogue == null || !refreshInterval.isZero() && !catalogue.loadedAt().plus(refreshInterval).isAfter(clock.instant());
    }

    private Entry entry(WatiCredentials credentials) {
        return entries.computeIfAbsent(credentials.throttleKey(), k -> new Entry());
    }

    /** This instance's copy when fresh; else the database's when fresh (another instance loaded it); else a load from WATI. */
    private Catalogue current(WatiCredentials credentials, Entry entry) {
        Catalogue catalogue = entry.catalogue;
        if (!stale(catalogue)) {
            return catalogue;
        }
        try {
            Catalogue stored = read(credentials.throttleKey());
            if (!stale(stored)) {
                entry.catalogue = stored;
                return stored;
            }
        } catch (SQLException e) {
            LOG.warn("Template catalogue of {} not read from the database: {}", credentials.label(), e.toString());
        }
        return load(credentials, entry, false);
    }

    /**
     * Loads the catalogue from WATI (one load at a time per catalogue: a caller that waited for another's load takes
     * its result). Null when it cannot be loaded, or another caller's load did not end within {@link #LOAD_WAIT}; unless
     * {@code force}, a failed load is not tried again for {@code recheckAfter}.
     */
    private Catalogue load(WatiCredentials credentials, Entry entry, boolean force) {
        long loadsBefore = entry.loads;
        try {
            // a send waits a little for a load under way (it is likely to need it), never long: then it goes unchecked
            if (!entry.lock.tryLock(force ? FORCED_LOAD_WAIT.toMillis() : LOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.debug("Template catalogue of {} is being loaded by another caller: not waited for", credentials.label());
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            if (entry.loads != loadsBefore) {
                return entry.catalogue;
            }
            if (!force && entry.error != null && entry.attemptedAt.plus(recheckAfter).isAfter(clock.instant())) {
                return null;
            }
            Instant at = clock.instant();
            entry.attemptedAt = at;
            try {
                TemplatePages all = new TemplatePages();
                for (int page = 1; !all.complete(); page++) {
                    all.add(pages.page(credentials, PAGE_SIZE, page), PAGE_SIZE);
                }
                Catalogue loaded = Catalogue.of(at, all.templates());
                save(credentials, loaded, all.templates());
                entry.catalogue = loaded;
                entry.loads++;
                if (entry.error != null) {
                    LOG.info("Template catalogue of {} loaded again: {} templates", credentials.label(), loaded.size());
                } else {
                    LOG.debug("Template catalogue of {} loaded: {} templates", credentials.label(), loaded.size());
                }
                entry.error = null;
                return loaded;
            } catch (Exception e) {
                String reason = reason(e);
                if (!reason.equals(entry.error)) {
                    LOG.warn("Template catalogue of {} could not be loaded ({}): templates are sent unchecked until it loads", credentials.label(),
                            reason);
                }
                entry.error = reason;
                failed(credentials, at, reason);
                return null;
            }
        } finally {
            entry.lock.unlock();
        }
    }

    private static String reason(Exception e) {
        // WATI's reason or the connection error: neither holds the token (it is only ever a header)
        return Rows.cut(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), 500);
    }

    // ---- the database ----

    private void save(WatiCredentials credentials, Catalogue catalogue, List<Template> templates) throws SQLException, JsonProcessingException {
        String key = credentials.throttleKey();
        try (Connection c = db.getConnection()) {
            // the catalogue's row exists first (its own statement); the load's transaction then locks it, so two instances
            // replacing one catalogue's templates take turns instead of meeting on the primary key
            upsert(c, credentials, null, -1, null, catalogue.loadedAt());
            c.setAutoCommit(false);
            try {
                try (PreparedStatement s = c.prepareStatement("SELECT catalogue FROM template_catalogues WHERE catalogue = ? FOR UPDATE")) {
                    s.setString(1, key);
                    s.executeQuery().close();
                }
                try (PreparedStatement s = c.prepareStatement("DELETE FROM message_templates WHERE catalogue = ?")) {
                    s.setString(1, key);
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO message_templates (catalogue, name, language, status, category, "
                        + "parameters) VALUES (?, ?, ?, ?, ?, ?)")) {
                    for (Template t : templates) {
                        s.setString(1, key);
                        s.setString(2, Rows.cut(t.name(), 512));
                        s.setString(3, Rows.cut(t.language(), 64));
                        s.setString(4, Rows.cut(t.status(), 64));
                        s.setString(5, Rows.cut(t.category(), 64));
                        s.setString(6, mapper.writeValueAsString(t.parameters()));
                        s.addBatch();
                    }
                    s.executeBatch();
                }
                try (PreparedStatement s = c.prepareStatement("UPDATE template_catalogues SET loaded_at = ?, template_count = ?, "
                        + "last_error = NULL, attempted_at = ? WHERE catalogue = ?")) {
                    s.setTimestamp(1, Timestamp.from(catalogue.loadedAt()));
                    s.setInt(2, catalogue.size());
                    s.setTimestamp(3, Timestamp.from(catalogue.loadedAt()));
                    s.setString(4, key);
                    s.executeUpdate();
                }
                c.commit();
            } catch (SQLException | JsonProcessingException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** A failed load is recorded (its reason for GET /api/v1/templates); the templates last loaded stay. */
    private void failed(WatiCredentials credentials, Instant at, String reason) {
        try (Connection c = db.getConnection()) {
            upsert(c, credentials, null, -1, reason, at);
        } catch (SQLException e) {
            LOG.warn("Template catalogue failure of {} not recorded: {}", credentials.label(), e.toString());
        }
    }

    /** loadedAt null and count -1 keep the row's (a failed load records only its error); on a connection in autocommit. */
    private static void upsert(Connection c, WatiCredentials credentials, Instant loadedAt, int count, String error, Instant attemptedAt)
            throws SQLException {
        String key = credentials.throttleKey();
        Rows.updateElseInsert(c, u -> {
            try (PreparedStatement s = u.prepareStatement("UPDATE template_catalogues SET loaded_at = COALESCE(?, loaded_at), "
                    + "template_count = CASE WHEN ? < 0 THEN template_count ELSE ? END, last_error = ?, attempted_at = ? WHERE catalogue = ?")) {
                s.setTimestamp(1, loadedAt == null ? null : Timestamp.from(loadedAt));
                s.setInt(2, count);
                s.setInt(3, count);
                s.setString(4, Rows.cut(error, 1024));
                s.setTimestamp(5, Timestamp.from(attemptedAt));
                s.setString(6, key);
                return s.executeUpdate();
            }
        }, i -> {
            try (PreparedStatement s = i.prepareStatement("INSERT INTO template_catalogues (catalogue, account, loaded_at, template_count, "
                    + "last_error, attempted_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, key);
                s.setString(2, credentials.account());
                s.setTimestamp(3, loadedAt == null ? null : Timestamp.from(loadedAt));
                s.setInt(4, Math.max(count, 0));
                s.setString(5, Rows.cut(error, 1024));
                s.setTimestamp(6, Timestamp.from(attemptedAt));
                return s.executeUpdate();
            }
        });
    }

    /** The stored catalogue, or null when it was never loaded. */
    Catalogue read(String key) throws SQLException {
        Instant loadedAt;
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT loaded_at FROM template_catalogues WHERE catalogue = ?")) {
                s.setString(1, key);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next() || rs.getTimestamp(1) == null) {
                        return null;
                    }
                    loadedAt = rs.getTimestamp(1).toInstant();
                }
            }
            List<Template> templates = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT name, language, status, category, parameters FROM message_templates "
                    + "WHERE catalogue = ? ORDER BY name, language")) {
                s.setString(1, key);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        templates.add(new Template(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                mapper.readValue(rs.getString(5), new TypeReference<List<String>>() {
                                })));
                    }
                }
            } catch (JsonProcessingException e) {
                throw new SQLException("Unreadable parameters in message_templates", e);
            }
            return Catalogue.of(loadedAt, templates);
        }
    }

    // ---- the refresh timer and the API ----

    /** wati-templates-refresh: every named account's catalogue that is older than the refresh interval is loaded again. */
    public void refreshAll() {
        if (refreshInterval.isZero()) {
            return;
        }
        for (String name : accountNames.get()) {
            WatiCredentials credentials;
            try {
                credentials = accounts.resolve(new ActionFields(Map.of("account", name)));
            } catch (ActionRejectedException e) {
                continue;
            }
            current(credentials, entry(credentials));
        }
    }

    /** GET /api/v1/templates?account=: the account's templates (loaded first when never loaded or stale), sorted by name. */
    public void list(Exchange exchange) throws Exception {
        WatiCredentials credentials = account(exchange);
        if (credentials == null) {
            return;
        }
        Entry entry = entry(credentials);
        Catalogue catalogue = current(credentials, entry);
        answer(exchange, credentials, entry, catalogue != null ? catalogue : lastGood(credentials, entry));
    }

    /** The catalogue last loaded (this instance's, else the database's), however old; null when never loaded. */
    private Catalogue lastGood(WatiCredentials credentials, Entry entry) {
        if (entry.catalogue != null) {
            return entry.catalogue;
        }
        try {
            return read(credentials.throttleKey());
        } catch (SQLException e) {
            return null;
        }
    }

    /** POST /api/v1/templates/refresh?account=: loaded from WATI now. */
    public void refresh(Exchange exchange) throws Exception {
        WatiCredentials credentials = account(exchange);
        if (credentials == null) {
            return;
        }
        Entry entry = entry(credentials);
        answer(exchange, credentials, entry, load(credentials, entry, true));
    }

    private void answer(Exchange exchange, WatiCredentials credentials, Entry entry, Catalogue catalogue) throws Exception {
        if (catalogue == null) {
            JsonAnswer.error(exchange, 502, "The template catalogue of " + credentials.label() + " could not be loaded: "
                    + (entry.error != null ? entry.error : "another load of it is still under way"));
            return;
        }
        List<Map<String, Object>> templates = new ArrayList<>();
        catalogue.byName().values().stream().flatMap(List::stream).sorted(Comparator.comparing(Template::name).thenComparing(Template::language))
                .forEach(t -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("name", t.name());
                    row.put("language", t.language());
                    row.put("status", t.status());
                    row.put("category", t.category());
                    row.put("parameters", t.parameters());
                    templates.add(row);
                });
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("account", credentials.account());
        answer.put("loaded_at", DateTimeFormatter.ISO_INSTANT.format(catalogue.loadedAt()));
        answer.put("count", templates.size());
        // a refresh that failed after this catalogue was loaded: the list is the last good one
        answer.put("last_error", entry.error);
        answer.put("templates", templates);
        JsonAnswer.send(exchange, 200, answer);
    }

    /** The query's named account, resolved; null after a 400 or 404 has been answered. */
    private WatiCredentials account(Exchange exchange) throws Exception {
        String account;
        try {
            account = QueryParameters.of(exchange, "account").text("account");
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 400, e.getMessage());
            return null;
        }
        if (account == null) {
            JsonAnswer.error(exchange, 400, "account is required (?account=<name>): catalogues are listed for named accounts");
            return null;
        }
        String name = account.strip().toLowerCase(Locale.ROOT);
        if (!WatiAccounts.isValidName(name) || !accountNames.get().contains(name)) {
            JsonAnswer.error(exchange, 404, "Unknown account: configure wati.accounts.<name>.endpoint and .token");
            return null;
        }
        try {
            return accounts.resolve(new ActionFields(Map.of("account", name)));
        } catch (ActionRejectedException e) {
            JsonAnswer.error(exchange, 404, e.getMessage());
            return null;
        }
    }
}
