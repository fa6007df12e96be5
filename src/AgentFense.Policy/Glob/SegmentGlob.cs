namespace AgentFense.Policy.Glob;

/// <summary>
/// A compiled glob for one path segment: <c>*</c> (any run of characters), <c>?</c> (one character),
/// classes (<c>[abc]</c>, <c>[a-z]</c>, <c>[!x]</c>) and <c>\</c> escapes. Never matches <c>/</c>.
/// </summary>
/// <remarks>
/// Most real patterns have one star (<c>*.key</c>, <c>.env*</c>, <c>*</c>); those compile to a
/// prefix/suffix test with no backtracking. Anything else runs the classic single-star-backtrack
/// wildcard loop, which is linear for one star and worst case O(n·m).
/// </remarks>
internal sealed class SegmentGlob
{
    private readonly GlobToken[] _tokens;
    private readonly string? _prefix;
    private readonly string? _suffix;

    private SegmentGlob(GlobToken[] tokens)
    {
        _tokens = tokens;
        // One star between literals: match by prefix and suffix alone.
        if (tokens.Count(t => t.Kind == GlobTokenKind.Star) == 1 &&
            tokens.All(t => t.Kind is GlobTokenKind.Star or GlobTokenKind.Literal))
        {
            var star = Array.FindIndex(tokens, t => t.Kind == GlobTokenKind.Star);
            _prefix = string.Concat(tokens[..star].Select(t => t.Literal));
            _suffix = string.Concat(tokens[(star + 1)..].Select(t => t.Literal));
        }
    }

    /// <summary>True when the glob is a single <c>*</c>: it matches every name.</summary>
    public bool MatchesAnything => _prefix is "" && _suffix is "";

    /// <summary>The number of literal characters (escapes counted once), for specificity ordering.</summary>
    public int LiteralLength => _tokens.Where(t => t.Kind == GlobTokenKind.Literal).Sum(t => t.Literal!.Length);

    /// <summary>Compiles the tokens of one segment (which hold at least one wildcard or class).</summary>
    public static SegmentGlob Compile(IReadOnlyList<GlobToken> tokens) => new([.. tokens]);

    /// <summary>Whether <paramref name="name"/> (one path segment) matches.</summary>
    public bool IsMatch(ReadOnlySpan<char> name)
    {
        if (_prefix is not null)
        {
            return name.Length >= _prefix.Length + _suffix!.Length &&
                   name.StartsWith(_prefix, StringComparison.Ordinal) &&
                   name.EndsWith(_suffix, StringComparison.Ordinal);
        }
        return MatchTokens(name);
    }

    private bool MatchTokens(ReadOnlySpan<char> name)
    {
        int t = 0, n = 0;
        int starToken = -1, starName = 0;
        while (n < name.Length || t < _tokens.Length)
        {
            if (t < _tokens.Length)
            {
                var token = _tokens[t];
                switch (token.Kind)
                {
                    case GlobTokenKind.Star:
                        // Remember where to resume if what follows the star fails.
                        starToken = t++;
                        starName = n;
                        continue;
                    case GlobTokenKind.Literal:
                        if (name[n..].StartsWith(token.Literal, StringComparison.Ordinal))
                        {
                            n += token.Literal!.Length;
                            t++;
                            continue;
                        }
                        break;
                    case GlobTokenKind.AnyChar:
                        if (n < name.Length)
                        {
                            n++;
                            t++;
                            continue;
                        }
                        break;
                    case GlobTokenKind.Class:
                        if (n < name.Length && token.Class!.Contains(name[n]))
                        {
                            n++;
                            t++;
                            continue;
                        }
                        break;
                }
            }
            if (starToken >= 0 && starName < name.Length)
            {
                // Let the star swallow one more character and retry what follows it.
                t = starToken + 1;
                n = ++starName;
                continue;
            }
            return false;
        }
        return true;
    }
}
