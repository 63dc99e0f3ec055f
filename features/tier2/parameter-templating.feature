@tier2 @rules @webhooks
Feature: Rule parameters rendered from the event
  A rule's `action_params` MAY hold `{{ path }}` templates; for each event they MUST be
  rendered into the parameters of the execution it causes (the enforcement's and the
  execution's `config`), and the action MUST receive exactly those parameters. The paths
  and the rendering rules are Attune's (contract §10.4, internals §3.2):
  - `event.payload.…` walks the posted JSON: dotted segments step into objects, numeric
    segments index arrays, as deep as the payload goes; `pack.config.…` walks the
    configuration of the rule's pack the same way.
  - A string that is exactly one template becomes the value itself, keeping its JSON type:
    numbers, booleans, objects, arrays and null stay what they are, a string of digits
    stays a string.
  - Templates inside longer text are filled in as text: strings as they are, numbers and
    booleans in their usual notation, objects and arrays as compact JSON, null as nothing.
  - A value that is not there (an absent field, a path through a scalar, an index past the
    end, a namespace Attune does not offer such as `trigger.payload`, a `| filter`) is
    null as a whole template and nothing ('') inside text. Rule templates have no datastore
    lookup (actions get keys through their pack's secrets or the API).

  Each scenario checks the parameters on three records: the enforcement, the execution,
  and what the action itself printed. The action prints its parameter document as one
  JSON line and its output is parsed (`output_format: json`), so the parsed `result.data`
  MUST equal the parameters exactly, nested objects and arrays included.

  Catalog: T2.4

  Background:
    Given an action "show parameters" that prints JSON from the shell script:
      """
      jq -c .
      """

  Rule: Paths reach into nested objects and arrays

    Scenario: Flat, nested and deep paths and array elements resolve to the values they name
      Given a webhook "orders" whose rule "render order" runs "show parameters" with the parameters:
        """
        {
          "order": "{{ event.payload.order_id }}",
          "city": "{{ event.payload.customer.address.city }}",
          "latitude": "{{ event.payload.customer.address.geo.lat }}",
          "first_sku": "{{ event.payload.items.0.sku }}",
          "second_tag_of_second_item": "{{ event.payload.items.1.tags.1 }}",
          "grid_cell": "{{ event.payload.grid.1.0 }}",
          "second_item": "{{ event.payload.items.1 }}",
          "label": "{{ event.payload.customer.name }} in {{ event.payload.customer.address.city }}"
        }
        """
      When the webhook "orders" receives the payload:
        """
        {
          "order_id": "A-1001",
          "customer": {"name": "Zoë", "address": {"city": "Lyon", "geo": {"lat": 45.76, "lon": 4.84}}},
          "items": [{"sku": "SKU-1", "tags": ["red"]}, {"sku": "SKU-2", "tags": ["blue", "large"]}],
          "grid": [[1, 2], [3, 4]]
        }
        """
      Then the rule "render order" ran "show parameters" once for that event, which succeeded with exactly the parameters:
        """
        {
          "order": "A-1001",
          "city": "Lyon",
          "latitude": 45.76,
          "first_sku": "SKU-1",
          "second_tag_of_second_item": "large",
          "grid_cell": 3,
          "second_item": {"sku": "SKU-2", "tags": ["blue", "large"]},
          "label": "Zoë in Lyon"
        }
        """
      And the action printed exactly the parameters it received, and its result data holds them unchanged

  Rule: A parameter that is one template alone keeps its value's type

    Scenario: Numbers, booleans, null, objects, arrays and strings keep their JSON type
      Given a webhook "readings" whose rule "typed" runs "show parameters" with the parameters:
        """
        {
          "whole": "{{ event.payload.count }}",
          "decimal": "{{ event.payload.ratio }}",
          "negative": "{{ event.payload.delta }}",
          "zero": "{{ event.payload.zero }}",
          "yes": "{{ event.payload.enabled }}",
          "no": "{{ event.payload.muted }}",
          "nothing": "{{ event.payload.note }}",
          "digits": "{{ event.payload.code }}",
          "empty_text": "{{ event.payload.blank }}",
          "object": "{{ event.payload.device }}",
          "empty_object": "{{ event.payload.extras }}",
          "array": "{{ event.payload.samples }}",
          "empty_array": "{{ event.payload.flags }}",
          "no_spaces": "{{event.payload.count}}",
          "list_of_templates": ["{{ event.payload.count }}", "{{ event.payload.enabled }}", "fixed"],
          "object_of_templates": {"inner": {"ratio": "{{ event.payload.ratio }}"}},
          "untouched": 7
        }
        """
      When the webhook "readings" receives the payload:
        """
        {
          "count": 42, "ratio": 0.25, "delta": -3, "zero": 0, "enabled": true, "muted": false, "note": null,
          "code": "007", "blank": "",
          "device": {"id": "d-9", "meta": {"rack": 4, "slots": [1, 2]}},
          "extras": {},
          "samples": [{"t": 1, "v": 20.5}, {"t": 2, "v": null}],
          "flags": []
        }
        """
      Then the rule "typed" ran "show parameters" once for that event, which succeeded with exactly the parameters:
        """
        {
          "whole": 42,
          "decimal": 0.25,
          "negative": -3,
          "zero": 0,
          "yes": true,
          "no": false,
          "nothing": null,
          "digits": "007",
          "empty_text": "",
          "object": {"id": "d-9", "meta": {"rack": 4, "slots": [1, 2]}},
          "empty_object": {},
          "array": [{"t": 1, "v": 20.5}, {"t": 2, "v": null}],
          "empty_array": [],
          "no_spaces": 42,
          "list_of_templates": [42, true, "fixed"],
          "object_of_templates": {"inner": {"ratio": 0.25}},
          "untouched": 7
        }
        """
      And the action printed exactly the parameters it received, and its result data holds them unchanged

  Rule: Templates inside text are filled in as text

    Scenario: Numbers, booleans, objects, arrays and null inside text become their text
      Given a webhook "alerts" whose rule "as text" runs "show parameters" with the parameters:
        """
        {
          "number": "count={{ event.payload.count }}",
          "decimal": "ratio={{ event.payload.ratio }}",
          "boolean": "enabled={{ event.payload.enabled }}/muted={{ event.payload.muted }}",
          "object": "device={{ event.payload.device }}",
          "array": "samples={{ event.payload.samples }}",
          "null": "note=[{{ event.payload.note }}]",
          "adjacent": "{{ event.payload.code }}{{ event.payload.count }}",
          "repeated": "{{ event.payload.code }}-{{ event.payload.code }}"
        }
        """
      When the webhook "alerts" receives the payload:
        """
        {"count": 42, "ratio": 0.25, "enabled": true, "muted": false, "device": {"id": "d-9", "rack": 4}, "samples": [1, "two", null, true], "note": null, "code": "007"}
        """
      Then the rule "as text" ran "show parameters" once for that event, which succeeded with exactly the parameters:
        """
        {
          "number": "count=42",
          "decimal": "ratio=0.25",
          "boolean": "enabled=true/muted=false",
          "object": "device={\"id\":\"d-9\",\"rack\":4}",
          "array": "samples=[1,\"two\",null,true]",
          "null": "note=[]",
          "adjacent": "00742",
          "repeated": "007-007"
        }
        """
      And the action printed exactly the parameters it received, and its result data holds them unchanged

  Rule: A value that is not there is null alone and nothing inside text

    Scenario: Absent fields, paths through scalars, indexes past the end, unknown namespaces and filters
      Given a webhook "sparse" whose rule "missing" runs "show parameters" with the parameters:
        """
        {
          "absent": "{{ event.payload.voucher }}",
          "absent_nested": "{{ event.payload.customer.loyalty.tier }}",
          "through_a_scalar": "{{ event.payload.count.value }}",
          "past_the_end": "{{ event.payload.items.5 }}",
          "legacy_namespace": "{{ trigger.payload.count }}",
          "with_a_filter": "{{ event.payload.voucher | default('none') }}",
          "absent_in_text": "voucher=[{{ event.payload.voucher }}] tier=[{{ event.payload.customer.loyalty.tier }}]",
          "present_beside_absent": "{{ event.payload.count }}:{{ event.payload.items.5 }}:{{ event.payload.customer.name }}"
        }
        """
      When the webhook "sparse" receives the payload:
        """
        {"count": 3, "items": ["a", "b"], "customer": {"name": "Ada"}}
        """
      Then the rule "missing" ran "show parameters" once for that event, which succeeded with exactly the parameters:
        """
        {
          "absent": null,
          "absent_nested": null,
          "through_a_scalar": null,
          "past_the_end": null,
          "legacy_namespace": null,
          "with_a_filter": null,
          "absent_in_text": "voucher=[] tier=[]",
          "present_beside_absent": "3::Ada"
        }
        """
      And the action printed exactly the parameters it received, and its result data holds them unchanged

  Rule: The configuration of the rule's pack is there to render too

    Scenario: Pack configuration values, nested and in arrays, mix with payload values
      Given my pack's configuration is:
        """
        {"region": "eu-west-1", "limits": {"max_retries": 3, "burst": {"size": 10}}, "endpoints": ["https://a.example", "https://b.example"]}
        """
      And a webhook "deploys" whose rule "configured" runs "show parameters" with the parameters:
        """
        {
          "region": "{{ pack.config.region }}",
          "retries": "{{ pack.config.limits.max_retries }}",
          "burst": "{{ pack.config.limits.burst }}",
          "fallback": "{{ pack.config.endpoints.1 }}",
          "url": "{{ pack.config.endpoints.0 }}/{{ event.payload.service }}?region={{ pack.config.region }}",
          "not_configured": "{{ pack.config.timeout_s }}"
        }
        """
      When the webhook "deploys" receives the payload:
        """
        {"service": "billing"}
        """
      Then the rule "configured" ran "show parameters" once for that event, which succeeded with exactly the parameters:
        """
        {
          "region": "eu-west-1",
          "retries": 3,
          "burst": {"size": 10},
          "fallback": "https://b.example",
          "url": "https://a.example/billing?region=eu-west-1",
          "not_configured": null
        }
        """
      And the action printed exactly the parameters it received, and its result data holds them unchanged
