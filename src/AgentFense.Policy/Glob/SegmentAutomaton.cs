using System.Numerics;

namespace AgentFense.Policy.Glob;

/// <summary>
/// Matches a path against a pattern's segments as a small NFA whose states are positions in the
/// pattern, held in one 64-bit set. State <c>i</c> means "segments 0..i-1 are matched"; a <c>**</c> at
/// position <c>i</c> may consume a segment and stay at <c>i</c>, or be skipped (epsilon to <c>i+1</c>).
/// </summary>
/// <remarks>
/// The same state sets answer the reachability questions without walking any tree: after consuming
/// a directory's segments, a state with pattern left over means the rule can match something beneath
/// the directory; a state whose leftover accepts every non-empty continuation means it covers the subtree.
/// </remarks>
internal sealed class SegmentAutomaton
{
    private readonly PatternSegment[] _segments;
    private readonly ulong[] _closure;
    private readonly ulong _coveringStates;

    /// <summary>Builds the automaton for parsed segments (at most <see cref="GlobParser.MaxSegments"/>).</summary>
    public SegmentAutomaton(PatternSegment[] segments)
    {
        _segments = segments;
        var n = segments.Length;
        _closure = new ulong[n + 1];
        _closure[n] = 1UL << n;
        for (var i = n - 1; i >= 0; i--)
        {
            _closure[i] = 1UL << i;
            if (segments[i].Kind == SegmentKind.DoubleStar)
                _closure[i] |= _closure[i + 1];
        }
        for (var i = 0; i <= n; i++)
        {
            if (AcceptsEveryContinuation(i))
                _coveringStates |= 1UL << i;
        }
    }

    /// <summary>The parsed segments.</summary>
    public ReadOnlySpan<PatternSegment> Segments => _segments;

    /// <summary>The state set before any segment is consumed.</summary>
    public ulong Start => _closure[0];

    private ulong AcceptState => 1UL << _segments.Length;

    /// <summary>Consumes one path segment from every state in <paramref name="states"/>.</summary>
    public ulong Step(ulong states, ReadOnlySpan<char> name)
    {
        ulong next = 0;
        var remaining = states & ~AcceptState;
        while (remaining != 0)
        {
            var i = BitOperations.TrailingZeroCount(remaining);
            remaining &= remaining - 1;
            var segment = _segments[i];
            if (segment.Kind == SegmentKind.DoubleStar)
                next |= _closure[i];
            else if (segment.IsMatch(name))
                next |= _closure[i + 1];
        }
        return next;
    }

    /// <summary>Consumes every segment of <paramref name="path"/> (relative, '/'-separated).</summary>
    public ulong Run(ReadOnlySpan<char> path)
    {
        var states = Start;
        foreach (var range in path.Split('/'))
        {
            var name = path[range];
            if (name.IsEmpty)
                continue;
            states = Step(states, name);
            if (states == 0)
                break;
        }
        return states;
    }

    /// <summary>Whether the whole pattern has been matched.</summary>
    public bool IsAccepting(ulong states) => (states & AcceptState) != 0;

    /// <summary>Whether the pattern matches <paramref name="path"/> exactly.</summary>
    public bool IsMatch(ReadOnlySpan<char> path) => IsAccepting(Run(path));

    /// <summary>Whether, from <paramref name="states"/>, some non-empty continuation can still match.</summary>
    public bool CanMatchBeneath(ulong states) => (states & ~AcceptState) != 0;

    /// <summary>Whether, from <paramref name="states"/>, every non-empty continuation matches.</summary>
    public bool CoversBeneath(ulong states) => (states & _coveringStates) != 0;

    // The leftover segments i..n-1 accept every non-empty sequence of names exactly when they hold
    // at least one "**", nothing but "**" and "*", and at most one "*" ("**", "**/*", "*/**").
    private bool AcceptsEveryContinuation(int i)
    {
        int doubleStars = 0, singleStars = 0;
        for (var j = i; j < _segments.Length; j++)
        {
            if (_segments[j].Kind == SegmentKind.DoubleStar)
                doubleStars++;
            else if (_segments[j].IsSingleStar)
                singleStars++;
            else
                return false;
        }
        return doubleStars > 0 && singleStars <= 1;
    }
}
