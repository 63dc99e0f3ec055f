#!/bin/sh
# core.echo - print the `message` parameter.
# Input: dotenv lines on stdin (key='value', shell single-quote escaping, values may span lines).
# Output: the message followed by a newline. Diagnostics go to stderr.

INPUT=$(cat)

# param KEY: prints the value of KEY from $INPUT and succeeds, or fails when KEY is absent.
param() {
    printf '%s\n' "$INPUT" | awk -v want="$1" '
        function finish() {
            if (key == want) { printf "%s", val; found = 1; exit 0 }
            key = ""; val = ""; open = 0
        }
        # Appends the characters of s to val, following shell quoting; sets open when a quote is left open.
        function scan(s,    i, c) {
            for (i = 1; i <= length(s); i++) {
                c = substr(s, i, 1)
                if (open == 1) {                      # inside single quotes
                    if (c == "\047") open = 0; else val = val c
                } else if (open == 2) {               # inside double quotes
                    if (c == "\\" && i < length(s)) { i++; val = val substr(s, i, 1) }
                    else if (c == "\"") open = 0; else val = val c
                } else if (c == "\047") open = 1
                else if (c == "\"") open = 2
                else if (c == "\\" && i < length(s)) { i++; val = val substr(s, i, 1) }
                else val = val c
            }
        }
        {
            if (open) { val = val "\n"; scan($0); if (!open) finish(); next }
            if ($0 !~ /^[A-Za-z_][A-Za-z0-9_.-]*=/) next
            eq = index($0, "=")
            key = substr($0, 1, eq - 1); val = ""
            scan(substr($0, eq + 1))
            if (!open) finish()
        }
        END { if (!found && open) finish(); exit(found ? 0 : 1) }
    '
}

message=$(param message) || message='Hello, World!'
printf '%s\n' "$message"
