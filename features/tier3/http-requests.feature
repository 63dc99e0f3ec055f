@tier3 @runtimes
Feature: HTTP requests through core.http_request
  The core pack's `core.http_request` action MUST send the request it is given, as given:
  the method, every header, the query parameters, a `json_body` as JSON (with Content-Type
  application/json), and the Authorization header its auth parameters describe (`bearer`:
  `Bearer <auth_token>`; `basic`: `Basic ` and base64 of `<auth_username>:<auth_password>`),
  and no Authorization header when none is asked for.

  An answer of any status MUST complete the run, and the action's result (`result.data`)
  MUST report it whole: `status_code`, the response `headers`, the `body` as text, `json`
  (the body parsed, or null when it is not JSON), `elapsed_ms`, the `url` requested (query
  included), `success` (true only for a 2xx status) and `error` null. So a 404 or a 503 is a
  completed run with `success: false`, as Attune reports it.

  When no answer arrives, the run MUST fail with exit code 1, the action still printing its
  document with `status_code` 0, `success` false, an empty body, `json` null and `error` in
  Attune's words: "Failed to connect to host" for a refused connection, "Request timeout"
  when the `timeout` (seconds) ran out. A timeout of N seconds MUST end the run no sooner
  than N seconds and at most 2 s later (httpTimeoutMargin, support/timeouts.ts), by the
  run's own `duration_ms`.

  The server is a real HTTP server the scenario starts on this machine's loopback address
  (support/loopback-http.ts); it records every request it receives and answers each path as
  the scenario says. `<server>` in the parameters stands for its address; `<closed port>` for
  a loopback port the scenario opened and closed again, where nothing listens.

  Catalog: T3.18 (Attune's own tests call the API's /health and a webhook; here the
  server is the scenario's own, so what it received can be asserted)

  Rule: The request reaches the server as given

    Scenario: A GET with headers and query parameters reaches the server and its JSON answer comes back whole
      Given a loopback HTTP server answers GET "/status" with 200, the header "X-Served-By" set to "loopback-e2e", and the JSON:
        """
        {"service": "inventory", "healthy": true, "checks": [{"name": "db", "ok": true}], "version": 3}
        """
      When I run "core.http_request" against the loopback server with the parameters:
        """
        {"url": "<server>/status", "method": "GET", "headers": {"X-Request-Id": "req-7f3a", "User-Agent": "Attune-Test/1.0"}, "query_params": {"limit": "2"}, "timeout": 10}
        """
      Then the HTTP request completed with status 200, success true, and the JSON body:
        """
        {"service": "inventory", "healthy": true, "checks": [{"name": "db", "ok": true}], "version": 3}
        """
      And the reported response carried the header "X-Served-By" set to "loopback-e2e"
      And the server received exactly one request, GET "/status?limit=2"
      And that request carried the headers:
        | header       | value           |
        | X-Request-Id | req-7f3a        |
        | User-Agent   | Attune-Test/1.0 |
      And that request carried no "Authorization" header

    Scenario: A POST with a JSON body delivers that body to the server as JSON
      Given a loopback HTTP server answers POST "/orders" with 201 and the JSON:
        """
        {"id": 42, "status": "accepted"}
        """
      When I run "core.http_request" against the loopback server with the parameters:
        """
        {"url": "<server>/orders", "method": "POST", "json_body": {"item": "disk", "quantity": 2, "tags": ["urgent", "ssd"], "ship_to": {"city": "Lyon", "zip": "69001"}}}
        """
      Then the HTTP request completed with status 201, success true, and the JSON body:
        """
        {"id": 42, "status": "accepted"}
        """
      And the server received exactly one request, POST "/orders"
      And that request carried the headers:
        | header       | value            |
        | Content-Type | application/json |
      And that request carried the JSON body:
        """
        {"item": "disk", "quantity": 2, "tags": ["urgent", "ssd"], "ship_to": {"city": "Lyon", "zip": "69001"}}
        """

    Scenario Outline: <scheme> authentication reaches the server as its Authorization header
      Given a loopback HTTP server answers GET "/whoami" with 200 and the JSON:
        """
        {"user": "ops-bot"}
        """
      When I run "core.http_request" against the loopback server with the parameters:
        """
        {"url": "<server>/whoami", <credentials>}
        """
      Then the HTTP request completed with status 200, success true, and the JSON body:
        """
        {"user": "ops-bot"}
        """
      And the server received exactly one request, GET "/whoami"
      And that request carried the headers:
        | header        | value    |
        | Authorization | <header> |

      Examples:
        | scheme | credentials                                                                        | header                             |
        | Bearer | "auth_type": "bearer", "auth_token": "s3cr3t-t0ken"                                | Bearer s3cr3t-t0ken                |
        | Basic  | "auth_type": "basic", "auth_username": "ops-bot", "auth_password": "correct horse" | Basic b3BzLWJvdDpjb3JyZWN0IGhvcnNl |

  Rule: Any answer completes the run, success true only for 2xx

    Scenario: A 404 with a text body completes the run with success false and no parsed JSON
      Given a loopback HTTP server answers GET "/items/9" with 404 and the text "no item 9 here"
      When I run "core.http_request" against the loopback server with the parameters:
        """
        {"url": "<server>/items/9"}
        """
      Then the HTTP request completed with status 404, success false, and the text body "no item 9 here"
      And the server received exactly one request, GET "/items/9"

    Scenario: A 503 with a JSON body completes the run with success false and the JSON parsed
      Given a loopback HTTP server answers GET "/inventory" with 503 and the JSON:
        """
        {"error": "inventory is down for maintenance", "retry_after": 30}
        """
      When I run "core.http_request" against the loopback server with the parameters:
        """
        {"url": "<server>/inventory"}
        """
      Then the HTTP request completed with status 503, success false, and the JSON body:
        """
        {"error": "inventory is down for maintenance", "retry_after": 30}
        """
      And the server received exactly one request, GET "/inventory"

  Rule: No answer at all fails the run with Attune's words for why

    Scenario: A refused connection fails the run with "Failed to connect to host"
      Given a loopback port where nothing listens
      When I run "core.http_request" against the loopback server with the parameters:
        """
        {"url": "<closed port>/status", "timeout": 5}
        """
      Then the HTTP request failed with exit code 1, status 0 and the error "Failed to connect to host"

    Scenario: A server that never answers fails the run with "Request timeout" once the timeout ran out
      Given a loopback HTTP server that never answers GET "/slow"
      When I run "core.http_request" against the loopback server with the parameters:
        """
        {"url": "<server>/slow", "timeout": 1}
        """
      Then the HTTP request failed with exit code 1, status 0 and the error "Request timeout"
      And the run gave up after 1 second of waiting, within the HTTP timeout margin
      And the server received exactly one request, GET "/slow"
