"""Helpers for Python actions run by the Attune reference worker.

The worker puts this folder on PYTHONPATH (after the pack's own entries), so an action can write

    from attune_action import get_secret, parameters

    password = get_secret("db_password")

Attune delivers an action's input as ONE document: the execution's parameters with the secrets
merged in as top-level keys (a secret wins a clash with a parameter of the same name). The document
arrives on stdin, or in the file named by ATTUNE_PARAMETER_FILE when the action's
parameter_delivery is `file`; ATTUNE_PARAMETER_FORMAT says how it is written (json, yaml, dotenv).
The helper reads that document once, on first use, and keeps it: stdin can only be read once, so an
action that uses the helper should not read stdin itself (use parameters() instead).
"""

import json
import os
import sys

__all__ = ["get_secret", "parameters"]

_document = None


def _read_raw():
    if os.environ.get("ATTUNE_PARAMETER_DELIVERY") == "file":
        path = os.environ.get("ATTUNE_PARAMETER_FILE")
        if not path:
            return ""
        with open(path, "r", encoding="utf-8") as handle:
            return handle.read()
    if sys.stdin is None or sys.stdin.closed or sys.stdin.isatty():
        return ""
    return sys.stdin.read()


def _unquote_dotenv(value):
    # the worker writes key='value' with ' written as '\'' (shell single quoting)
    if len(value) >= 2 and value[0] == "'" and value[-1] == "'":
        return value[1:-1].replace("'\\''", "'")
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def _parse_dotenv(text):
    # one key='value' per line; a quoted value may span lines (a value holding newlines)
    out = {}
    key, pending = None, None
    for line in text.splitlines():
        if pending is not None:
            pending += "\n" + line
            if _closes_single_quote(pending):
                out[key] = _unquote_dotenv(pending)
                key, pending = None, None
            continue
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        name = name.strip()
        if value.startswith("'") and not _closes_single_quote(value):
            key, pending = name, value
            continue
        out[name] = _unquote_dotenv(value)
    if pending is not None:
        out[key] = _unquote_dotenv(pending)
    return out


def _closes_single_quote(value):
    # a value 'a'\''b' is closed when, after removing the escaped quotes, it ends with a quote
    body = value.replace("'\\''", "")
    return len(body) >= 2 and body.endswith("'")


def _yaml_scalar(text):
    text = text.strip()
    if text in ("", "~", "null"):
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    if text[0] in "'\"":
        if text[0] == '"':
            try:
                return json.loads(text)
            except ValueError:
                return text[1:-1]
        return text[1:-1].replace("''", "'")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _parse_yaml(text):
    try:
        import yaml  # PyYAML, when the action's environment has it
    except ImportError:
        yaml = None
    if yaml is not None:
        loaded = yaml.safe_load(text)
        return loaded if isinstance(loaded, dict) else {}
    # without PyYAML: top-level `key: scalar` and `key: |` block entries (nested mappings and lists are not read)
    out = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line or line[0] in " \t#-" or ":" not in line:
            continue
        name, value = line.split(":", 1)
        value = value.strip()
        if value == "":
            continue
        if value in ("|", "|-", "|+", ">", ">-", ">+"):
            block = []
            while i < len(lines) and (lines[i] == "" or lines[i][0] in " \t"):
                block.append(lines[i])
                i += 1
            out[_yaml_scalar(name)] = _yaml_block(value, block)
        else:
            out[_yaml_scalar(name)] = _yaml_scalar(value)
    return out


def _yaml_block(indicator, lines):
    indents = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    indent = min(indents) if indents else 0
    body = [l[indent:] for l in lines]
    while body and not body[-1].strip():
        body.pop()
    text = (" " if indicator.startswith(">") else "\n").join(body)
    if "-" not in indicator:
        text += "\n"
    return text


def _parse(text, fmt):
    if not text.strip():
        return {}
    if fmt == "dotenv":
        return _parse_dotenv(text)
    if fmt == "yaml":
        return _parse_yaml(text)
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else {}


def parameters():
    """The whole input document (parameters and secrets) as a dict; read once, then cached."""
    global _document
    if _document is None:
        fmt = (os.environ.get("ATTUNE_PARAMETER_FORMAT") or "json").strip().lower()
        _document = _parse(_read_raw(), fmt)
    return _document


def get_secret(name, default=None):
    """The secret (or parameter) called `name` from the input document; `default` when it is absent."""
    return parameters().get(name, default)
