namespace AgentFense.Policy;

/// <summary>
/// The forms of pattern the matcher answers with a hash lookup instead of running the automaton.
/// Nearly every real rule has one of these shapes; the rest are <see cref="General"/>.
/// </summary>
internal enum RuleShape
{
    /// <summary><c>**</c> or <c>**/*</c>: every path.</summary>
    MatchAll,

    /// <summary>Only literal segments (<c>src/main.py</c>, file rules): the path itself.</summary>
    Exact,

    /// <summary>Literal segments then <c>**</c> (<c>/output/**</c>, directory rules): a path and all beneath it.</summary>
    Prefix,

    /// <summary><c>**/NAME</c>: the last segment equals NAME.</summary>
    AnyDepthName,

    /// <summary><c>**/GLOB</c> (<c>**/*.key</c>): the last segment matches a one-segment glob.</summary>
    AnyDepthGlob,

    /// <summary><c>**/NAME/**</c> (<c>**/secrets/**</c>): some segment equals NAME.</summary>
    AnyDepthDir,

    /// <summary>Anything else: run the automaton.</summary>
    General,
}
