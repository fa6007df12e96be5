namespace AgentFense.Policy.Glob;

/// <summary>A bracket expression: <c>[abc]</c>, <c>[a-z0-9]</c>, negated with <c>[!x]</c> or <c>[^x]</c>.</summary>
internal sealed class CharClass
{
    private readonly (char Low, char High)[] _ranges;
    private readonly bool _negated;

    /// <summary>Creates a class from inclusive ranges.</summary>
    public CharClass((char Low, char High)[] ranges, bool negated)
    {
        _ranges = ranges;
        _negated = negated;
    }

    /// <summary>Whether <paramref name="c"/> is in the class. A class never matches <c>/</c>.</summary>
    public bool Contains(char c)
    {
        if (c == '/')
            return false;
        foreach (var (low, high) in _ranges)
        {
            if (c >= low && c <= high)
                return !_negated;
        }
        return _negated;
    }
}
