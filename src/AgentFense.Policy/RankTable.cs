using System.Collections.Frozen;

namespace AgentFense.Policy;

/// <summary>A frozen map from a key (path, prefix or name) to the best rank of the rules with that key.</summary>
internal sealed class RankTable
{
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _minRank;

    private RankTable(FrozenDictionary<string, int> ranks)
    {
        _lookup = ranks.GetAlternateLookup<ReadOnlySpan<char>>();
        _minRank = ranks.Count == 0 ? int.MaxValue : ranks.Values.Min();
    }

    /// <summary>The table of every rule of <paramref name="shape"/>; rules are given in rank order.</summary>
    public static RankTable Of(IEnumerable<CompiledRule> byRank, RuleShape shape)
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in byRank.Where(r => r.Shape == shape))
            ranks.TryAdd(rule.Key!, rule.Rank);
        return new RankTable(ranks.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Lowers <paramref name="best"/> to the rank stored for <paramref name="key"/> when that is better.</summary>
    public void Improve(ReadOnlySpan<char> key, ref int best)
    {
        if (_minRank < best && _lookup.TryGetValue(key, out var rank) && rank < best)
            best = rank;
    }
}
