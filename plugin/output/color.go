package output

import "bytes"

// ANSI colours for jsonc: keys blue, strings green, numbers and literals yellow.
const (
	colorKey   = "\x1b[34m"
	colorStr   = "\x1b[32m"
	colorLit   = "\x1b[33m"
	colorReset = "\x1b[0m"
)

// colorize colours indented JSON; it relies on the encoder's layout (one value per line).
func colorize(in []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(in, []byte("\n")) {
		trimmed := bytes.TrimLeft(line, " ")
		indent := line[:len(line)-len(trimmed)]
		out.Write(indent)
		rest := trimmed
		if len(rest) > 0 && rest[0] == '"' {
			if end := closingQuote(rest); end > 0 && end+1 < len(rest) && rest[end+1] == ':' {
				out.WriteString(colorKey)
				out.Write(rest[:end+1])
				out.WriteString(colorReset)
				out.WriteString(": ")
				rest = bytes.TrimLeft(rest[end+2:], " ")
			}
		}
		colorValue(&out, rest)
	}
	return out.Bytes()
}

func colorValue(out *bytes.Buffer, v []byte) {
	body := bytes.TrimRight(v, ",\n")
	tail := v[len(body):]
	switch {
	case len(body) == 0 || body[0] == '{' || body[0] == '[' || body[0] == '}' || body[0] == ']':
		out.Write(v)
		return
	case body[0] == '"':
		out.WriteString(colorStr)
	default:
		out.WriteString(colorLit)
	}
	out.Write(body)
	out.WriteString(colorReset)
	out.Write(tail)
}

func closingQuote(s []byte) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}
