using AgentFense.Policy.Glob;

namespace AgentFense.Policy;

/// <summary>A validated rule with its automaton, rank and the shape used to index it.</summary>
internal sealed class CompiledRule
{
    public CompiledRule(PermissionRule rule, int index, PatternSegment[] segments)
    {
        Rule = rule;
        Index = index;
        Automaton = new SegmentAutomaton(segments);
        (Shape, Key) = Classify(segments);
        IsLiteral = segments.All(s => s.Kind == SegmentKind.Literal) ||
                    (rule.Type == PatternType.Directory);
        StartsWithDoubleStar = segments[0].Kind == SegmentKind.DoubleStar;
        LiteralLength = segments.Sum(s => s.Kind switch
        {
            SegmentKind.Literal => s.Literal!.Length,
            SegmentKind.Glob => s.Glob!.LiteralLength,
            _ => 0,
        });
    }

    public PermissionRule Rule { get; }

    /// <summary>Position in the rule list as given.</summary>
    public int Index { get; }

    /// <summary>Position in precedence order: rank 0 is consulted first.</summary>
    public int Rank { get; set; }

    public SegmentAutomaton Automaton { get; }

    public RuleShape Shape { get; }

    /// <summary>The lookup key for hashed shapes: the path, prefix or name.</summary>
    public string? Key { get; }

    public bool IsLiteral { get; }

    public bool StartsWithDoubleStar { get; }

    public int LiteralLength { get; }

    public Permission Permission => Rule.Permission;

    private static (RuleShape, string?) Classify(PatternSegment[] s)
    {
        static bool IsLit(PatternSegment p) => p.Kind == SegmentKind.Literal;
        static bool IsDs(PatternSegment p) => p.Kind == SegmentKind.DoubleStar;
        var n = s.Length;
        if ((n == 1 && IsDs(s[0])) || (n == 2 && IsDs(s[0]) && s[1].IsSingleStar))
            return (RuleShape.MatchAll, null);
        if (s.All(IsLit))
            return (RuleShape.Exact, Join(s));
        if (n >= 2 && IsDs(s[^1]) && s[..^1].All(IsLit))
            return (RuleShape.Prefix, Join(s[..^1]));
        if (n == 2 && IsDs(s[0]) && IsLit(s[1]))
            return (RuleShape.AnyDepthName, s[1].Literal);
        if (n == 2 && IsDs(s[0]) && s[1].Kind == SegmentKind.Glob)
            return (RuleShape.AnyDepthGlob, null);
        if (n == 3 && IsDs(s[0]) && IsLit(s[1]) && IsDs(s[2]))
            return (RuleShape.AnyDepthDir, s[1].Literal);
        return (RuleShape.General, IsLit(s[0]) ? s[0].Literal : null);
    }

    private static string Join(PatternSegment[] literals) => string.Join('/', literals.Select(p => p.Literal));

    /// <summary>
    /// Precedence: higher priority; then file before directory before glob; then the more specific
    /// pattern (literal before wildcard, leading <c>**</c> last, more literal characters first); then the
    /// rule listed last.
    /// </summary>
    public static int ComparePrecedence(CompiledRule a, CompiledRule b)
    {
        var c = b.Rule.Priority.CompareTo(a.Rule.Priority);
        if (c != 0)
            return c;
        c = TypeOrder(a.Rule.Type).CompareTo(TypeOrder(b.Rule.Type));
        if (c != 0)
            return c;
        c = b.SpecificityClass.CompareTo(a.SpecificityClass);
        if (c != 0)
            return c;
        c = b.LiteralLength.CompareTo(a.LiteralLength);
        return c != 0 ? c : b.Index.CompareTo(a.Index);
    }

    private int SpecificityClass => IsLiteral ? 2 : StartsWithDoubleStar ? 0 : 1;

    private static int TypeOrder(PatternType type) => type switch
    {
        PatternType.File => 0,
        PatternType.Directory => 1,
        _ => 2,
    };
}
