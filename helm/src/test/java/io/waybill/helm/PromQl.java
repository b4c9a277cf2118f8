package io.waybill.helm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Just enough PromQL to find the series selectors in an expression: metric names with their label
 * matchers. Function and aggregation names, grouping label lists, ranges, numbers and keywords are
 * skipped. Enough for the chart's rules and dashboard, not a general parser.
 */
final class PromQl {

    record Matcher(String label, String op, String value) {
        boolean matches(String actual) {
            String v = actual == null ? "" : actual;
            return switch (op) {
                case "=" -> v.equals(value);
                case "!=" -> !v.equals(value);
                case "=~" -> Pattern.compile(value).matcher(v).matches();
                case "!~" -> !Pattern.compile(value).matcher(v).matches();
                default -> throw new IllegalArgumentException(op);
            };
        }

        boolean matches(Map<String, String> labels) {
            return matches(labels.get(label));
        }
    }

    record Selector(String metric, List<Matcher> matchers) {
    }

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "offset", "bool", "inf", "nan");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");

    private PromQl() {
    }

    static List<Selector> selectors(String expr) {
        List<Selector> found = new ArrayList<>();
        int i = 0;
        int n = expr.length();
        while (i < n) {
            char c = expr.charAt(i);
            if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '_' || expr.charAt(i) == ':')) i++;
                String word = expr.substring(start, i);
                int next = skipSpaces(expr, i);
                if (GROUPING.contains(word)) {
                    if (next < n && expr.charAt(next) == '(') i = closing(expr, next, '(', ')') + 1;
                    continue;
                }
                if (word.equals("offset")) {
                    i = skipSpaces(expr, i);
                    while (i < n && Character.isLetterOrDigit(expr.charAt(i))) i++;
                    continue;
                }
                if (KEYWORDS.contains(word) || AGGREGATIONS.contains(word)) continue;
                if (next < n && expr.charAt(next) == '(') continue; // a function
                List<Matcher> matchers = List.of();
                if (next < n && expr.charAt(next) == '{') {
                    int end = closing(expr, next, '{', '}');
                    matchers = matchers(expr.substring(next + 1, end));
                    i = end + 1;
                }
                found.add(new Selector(word, matchers));
            } else if (c == '"' || c == '\'') {
                i = endOfString(expr, i) + 1;
            } else if (c == '[') {
                i = closing(expr, i, '[', ']') + 1;
            } else if (Character.isDigit(c) || c == '.') {
                while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.' || expr.charAt(i) == '+')) i++;
            } else {
                i++;
            }
        }
        return found;
    }

    private static List<Matcher> matchers(String body) {
        List<Matcher> matchers = new ArrayList<>();
        int i = 0;
        while (i < body.length()) {
            i = skipSpaces(body, i);
            if (i >= body.length()) break;
            int start = i;
            while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) i++;
            String label = body.substring(start, i);
            i = skipSpaces(body, i);
            String op = body.startsWith("=~", i) ? "=~" : body.startsWith("!~", i) ? "!~" : body.startsWith("!=", i) ? "!=" : "=";
            i = skipSpaces(body, i + op.length());
            int end = endOfString(body, i);
            matchers.add(new Matcher(label, op, unescape(body.substring(i + 1, end))));
            i = skipSpaces(body, end + 1);
            if (i < body.length() && body.charAt(i) == ',') i++;
        }
        return matchers;
    }

    private static String unescape(String s) {
        return s.replace("\\\\", "\\").replace("\\\"", "\"");
    }

    private static int endOfString(String s, int open) {
        char quote = s.charAt(open);
        for (int i = open + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') i++;
            else if (s.charAt(i) == quote) return i;
        }
        throw new IllegalArgumentException("unterminated string in " + s);
    }

    private static int closing(String s, int open, char o, char c) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\'') i = endOfString(s, i);
            else if (ch == o) depth++;
            else if (ch == c && --depth == 0) return i;
        }
        throw new IllegalArgumentException("unbalanced " + o + " in " + s);
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        return i;
    }
}
