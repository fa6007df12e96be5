namespace AgentFense.Policy.Glob;

/// <summary>The kinds of pieces a segment glob is made of.</summary>
internal enum GlobTokenKind
{
    /// <summary>Characters that must appear as they are.</summary>
    Literal,

    /// <summary><c>?</c>: exactly one character.</summary>
    AnyChar,

    /// <summary><c>*</c>: any run of characters, possibly empty.</summary>
    Star,

    /// <summary><c>[...]</c>: one character from (or not from) a set.</summary>
    Class,
}

/// <summary>One piece of a segment glob.</summary>
internal readonly record struct GlobToken(GlobTokenKind Kind, string? Literal = null, CharClass? Class = null);
