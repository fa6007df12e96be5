namespace AgentFense.Policy.Glob;

/// <summary>The kinds of path segments a pattern is made of.</summary>
internal enum SegmentKind
{
    /// <summary>A name that must appear as it is.</summary>
    Literal,

    /// <summary>A one-segment glob (<c>*.md</c>, <c>file?</c>, <c>[ab]*</c>).</summary>
    Glob,

    /// <summary><c>**</c>: any number of segments, including zero.</summary>
    DoubleStar,
}

/// <summary>One segment of a parsed pattern.</summary>
internal sealed record PatternSegment(SegmentKind Kind, string? Literal, SegmentGlob? Glob)
{
    /// <summary>The shared <c>**</c> segment.</summary>
    public static readonly PatternSegment DoubleStar = new(SegmentKind.DoubleStar, null, null);

    /// <summary>Whether this segment matches the single path segment <paramref name="name"/>.</summary>
    public bool IsMatch(ReadOnlySpan<char> name) => Kind switch
    {
        SegmentKind.Literal => name.SequenceEqual(Literal),
        SegmentKind.Glob => Glob!.IsMatch(name),
        _ => true,
    };

    /// <summary>True for <c>*</c>: matches any single segment.</summary>
    public bool IsSingleStar => Kind == SegmentKind.Glob && Glob!.MatchesAnything;
}
