package io.waticamel.pipeline;

import java.util.HashMap;
import java.util.Map;

import io.waticamel.action.ActionFields;
import io.waticamel.action.ActionOutcome;
import io.waticamel.action.TaskResult;
import io.waticamel.wati.WatiCall;
import io.waticamel.wati.WatiCredentials;
import org.apache.camel.Exchange;

/**
 * One action on its way through the routes, kept in the exchange variable {@value #VARIABLE}: the
 * task fields as read once, then what each step adds (credentials, the WATI request, the result).
 * The message itself stays the caller's: its headers are never read as fields and come back as
 * they were. {@code toString} shows no token.
 */
public final class Action {

    public static final String VARIABLE = "watiAction";
    /** Exchange variable: the outcome of the last action, readable in routes as ${variable.watiResult.run}. */
    public static final String RESULT_VARIABLE = "watiResult";

    private final ActionFields fields;
    private final Map<String, Object> callerHeaders;
    private final String caller;
    private WatiCredentials credentials;
    private WatiCall call;
    private String successText;
    private Object response;
    private TaskResult result;
    private ActionOutcome outcome;
    private boolean counted;
    private long startNanos = System.nanoTime();
    private int attempts = 1;
    private String note;
    private String noteIfNotRun;
    private final Map<Class<?>, Object> attachments = new HashMap<>(4);

    public Action(ActionFields fields, Map<String, Object> callerHeaders, String caller) {
        this.fields = fields;
        this.callerHeaders = callerHeaders;
        this.caller = caller == null ? "-" : caller;
    }

    /**
     * An action that does not come in through direct:wati-action (a campaign's bulk call): its request is built and its
     * credentials known, so direct:wati-call takes it as it is. Put on the exchange as {@value #VARIABLE}.
     */
    public static Action prepared(ActionFields fields, String caller, WatiCredentials credentials, WatiCall call, String successText) {
        Action action = new Action(fields, Map.of(), caller);
        action.credentials(credentials);
        action.call(call, successText);
        return action;
    }

    /**
     * Another action in this one's place (a session message's fallback template): other fields, the same caller, its
     * headers and credentials; nothing built or answered yet.
     */
    public Action withFields(ActionFields other) {
        Action action = new Action(other, callerHeaders, caller);
        action.credentials(credentials);
        // its time is the caller's: from when the action in its place was read
        action.startNanos = startNanos;
        return action;
    }

    /**
     * What the runtime did on the caller's behalf (a fallback template tried instead), put before the run text: one
     * text for when the action ran, one for when it did not.
     */
    public void note(String ifRun, String ifNotRun) {
        this.note = ifRun;
        this.noteIfNotRun = ifNotRun;
    }

    /** The note for the outcome, or null. */
    String note(boolean run) {
        return run ? note : noteIfNotRun;
    }

    /** The exchange's action; fails when the route was not entered through direct:wati-action. */
    public static Action of(Exchange exchange) {
        Action action = exchange.getVariable(VARIABLE, Action.class);
        if (action == null) {
            throw new IllegalStateException("No action on this exchange: call direct:wati-action, not an action route directly");
        }
        return action;
    }

    public ActionFields fields() {
        return fields;
    }

    /** The wati_action name (trimmed), or null. */
    public String name() {
        return fields.action();
    }

    public String taskId() {
        return fields.taskId();
    }

    Map<String, Object> callerHeaders() {
        return callerHeaders;
    }

    /** The API key's name for logs and record ownership ("-" when not called over the API). */
    public String caller() {
        return caller;
    }

    public WatiCredentials credentials() {
        return credentials;
    }

    void credentials(WatiCredentials credentials) {
        this.credentials = credentials;
    }

    /** The WATI request to send (again, on a retry), or null before an action route built one. */
    public WatiCall call() {
        return call;
    }

    public void call(WatiCall call, String successText) {
        this.call = call;
        this.successText = successText;
    }

    String successText() {
        return successText == null ? "Done." : successText;
    }

    /** The task response of an action that answers itself (get_media), instead of WATI's answer. */
    public void succeeded(String successText, Object response) {
        this.successText = successText;
        this.response = response;
    }

    Object response() {
        return response;
    }

    public TaskResult result() {
        return result;
    }

    /** The result and why it is what it is (the outcome label of the metrics). */
    void result(TaskResult result, ActionOutcome outcome) {
        this.result = result;
        this.outcome = outcome;
    }

    /** Why the action ended as it did; null before its result. */
    ActionOutcome outcome() {
        return outcome;
    }

    /** True the first time only: an action is counted in the metrics once, whichever step answers it. */
    boolean firstCount() {
        boolean first = !counted;
        counted = true;
        return first;
    }

    /** Nanoseconds since the action was read. */
    long elapsedNanos() {
        return System.nanoTime() - startNanos;
    }

    /** How many times WATI was called for this action (1 without retries). */
    public int attempts() {
        return attempts;
    }

    void attempts(int attempts) {
        this.attempts = attempts;
    }

    /** The recipient masked for logs, "-" when none is known yet. */
    public String recipient() {
        return call == null ? "-" : call.recipient();
    }

    /** The account for logs and records: its name, or its endpoint; "-" before credentials are known. */
    public String account() {
        return credentials == null ? "-" : credentials.label();
    }

    /** State a step keeps for a later step of the same action (a downloaded file, a blob upload). */
    public <T> void attach(Class<T> type, T value) {
        attachments.put(type, value);
    }

    public <T> T attached(Class<T> type) {
        return type.cast(attachments.get(type));
    }

    @Override
    public String toString() {
        return "Action[" + name() + " task " + taskId() + " via " + account() + "]";
    }
}
