using System.Text;

namespace AgentFense.Policy.Glob;

/// <summary>
/// Turns a rule's pattern text into segments, refusing what cannot be a path pattern.
/// Leading <c>/</c> is dropped (patterns are anchored at the codebase root either way), a trailing
/// <c>/</c>, empty segments and <c>.</c> segments are ignored; <c>..</c> and NUL are refused.
/// </summary>
internal static class GlobParser
{
    /// <summary>The most segments a pattern may have (match state is a 64-bit set).</summary>
    public const int MaxSegments = 62;

    /// <summary>Parses a glob pattern; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static PatternSegment[]? TryParseGlob(string pattern, out string? error)
    {
        var segments = new List<PatternSegment>();
        var raws = SplitSegments(pattern, escapes: true, out error);
        if (error is not null)
            return null;
        foreach (var raw in raws)
        {
            if (raw == "**")
            {
                // "a/**/**/b" means the same as "a/**/b".
                if (segments.Count == 0 || segments[^1].Kind != SegmentKind.DoubleStar)
                    segments.Add(PatternSegment.DoubleStar);
                continue;
            }
            var tokens = Tokenize(raw, out error);
            if (tokens is null)
                return null;
            segments.Add(tokens.All(t => t.Kind == GlobTokenKind.Literal)
                ? new PatternSegment(SegmentKind.Literal, string.Concat(tokens.Select(t => t.Literal)), null)
                : new PatternSegment(SegmentKind.Glob, null, SegmentGlob.Compile(tokens)));
        }
        return Finish(segments, ref error);
    }

    /// <summary>Parses a literal path (file and directory rules): no wildcards, no escapes.</summary>
    public static PatternSegment[]? TryParseLiteral(string pattern, out string? error)
    {
        var segments = SplitSegments(pattern, escapes: false, out error)
            .Select(s => new PatternSegment(SegmentKind.Literal, s, null))
            .ToList();
        return Finish(segments, ref error);
    }

    private static PatternSegment[]? Finish(List<PatternSegment> segments, ref string? error)
    {
        if (error is not null)
            return null;
        if (segments.Count == 0)
        {
            error = "the pattern is empty (it names no path)";
            return null;
        }
        if (segments.Count > MaxSegments)
        {
            error = $"the pattern has {segments.Count} segments; at most {MaxSegments} are allowed";
            return null;
        }
        return [.. segments];
    }

    private static List<string> SplitSegments(string pattern, bool escapes, out string? error)
    {
        error = null;
        var result = new List<string>();
        if (string.IsNullOrWhiteSpace(pattern))
        {
            error = "the pattern is empty";
            return result;
        }
        if (pattern.Contains('\0'))
        {
            error = "the pattern contains a NUL character";
            return result;
        }
        var current = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (escapes && c == '\\' && i + 1 < pattern.Length && pattern[i + 1] != '/')
            {
                // Keep the escape for the tokenizer; it only matters inside a segment.
                current.Append(c).Append(pattern[++i]);
                continue;
            }
            if (c != '/')
            {
                current.Append(c);
                continue;
            }
            if (escapes && current.Length > 0 && EndsWithLoneBackslash(current))
            {
                error = "'\\/' cannot match: a name never contains '/'";
                return result;
            }
            AddSegment(result, current.ToString(), ref error);
            current.Clear();
        }
        AddSegment(result, current.ToString(), ref error);
        return result;
    }

    private static bool EndsWithLoneBackslash(StringBuilder s)
    {
        var count = 0;
        for (var i = s.Length - 1; i >= 0 && s[i] == '\\'; i--)
            count++;
        return count % 2 == 1;
    }

    private static void AddSegment(List<string> segments, string segment, ref string? error)
    {
        if (segment.Length == 0 || segment == ".")
            return;
        if (segment == "..")
            error ??= "'..' segments are not allowed (patterns are relative to the codebase root)";
        segments.Add(segment);
    }

    private static List<GlobToken>? Tokenize(string segment, out string? error)
    {
        error = null;
        var tokens = new List<GlobToken>();
        var literal = new StringBuilder();
        void FlushLiteral()
        {
            if (literal.Length > 0)
            {
                tokens.Add(new GlobToken(GlobTokenKind.Literal, literal.ToString()));
                literal.Clear();
            }
        }

        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            switch (c)
            {
                case '\\':
                    if (i + 1 >= segment.Length)
                    {
                        error = "the pattern ends with a lone '\\' (nothing to escape)";
                        return null;
                    }
                    literal.Append(segment[++i]);
                    break;
                case '*':
                    FlushLiteral();
                    if (tokens.Count == 0 || tokens[^1].Kind != GlobTokenKind.Star)
                        tokens.Add(new GlobToken(GlobTokenKind.Star));
                    break;
                case '?':
                    FlushLiteral();
                    tokens.Add(new GlobToken(GlobTokenKind.AnyChar));
                    break;
                case '[':
                    FlushLiteral();
                    var cls = ParseClass(segment, ref i, out error);
                    if (cls is null)
                        return null;
                    tokens.Add(new GlobToken(GlobTokenKind.Class, Class: cls));
                    break;
                default:
                    literal.Append(c);
                    break;
            }
        }
        FlushLiteral();
        return tokens;
    }

    // On entry segment[i] == '['; on success i is left on the closing ']'.
    private static CharClass? ParseClass(string segment, ref int i, out string? error)
    {
        error = null;
        var start = i;
        i++;
        var negated = i < segment.Length && segment[i] is '!' or '^';
        if (negated)
            i++;
        var ranges = new List<(char, char)>();
        var first = true;
        while (i < segment.Length && (segment[i] != ']' || first))
        {
            first = false;
            var low = ReadClassChar(segment, ref i, ref error);
            if (error is not null)
                return null;
            var high = low;
            if (i + 1 < segment.Length && segment[i] == '-' && segment[i + 1] != ']')
            {
                i++;
                high = ReadClassChar(segment, ref i, ref error);
                if (error is not null)
                    return null;
                if (high < low)
                {
                    error = $"the class range '{low}-{high}' is reversed";
                    return null;
                }
            }
            ranges.Add((low, high));
        }
        if (i >= segment.Length)
        {
            error = $"unbalanced '[' at \"{segment[start..]}\" (no closing ']')";
            return null;
        }
        return new CharClass([.. ranges], negated);
    }

    private static char ReadClassChar(string segment, ref int i, ref string? error)
    {
        var c = segment[i++];
        if (c != '\\')
            return c;
        if (i >= segment.Length)
        {
            error = "the pattern ends with a lone '\\' inside a class";
            return '\0';
        }
        return segment[i++];
    }
}
