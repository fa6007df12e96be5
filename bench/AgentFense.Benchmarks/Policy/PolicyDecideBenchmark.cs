using AgentFense.Policy;
using BenchmarkDotNet.Attributes;

namespace AgentFense.Benchmarks.Policy;

/// <summary>
/// Decisions per second for <see cref="PolicyWorkload"/>: the indexed matcher against a linear scan of
/// every rule's automaton in precedence order (the naive baseline), one core. Time per operation is
/// per path decided; decisions/s = 1e9 / ns.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class PolicyDecideBenchmark
{
    private PolicyMatcher _matcher = null!;
    private string[] _paths = null!;

    [GlobalSetup]
    public void Setup()
    {
        _matcher = PolicyMatcher.Compile(PolicyWorkload.Rules());
        _paths = PolicyWorkload.Paths();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PolicyWorkload.PathCount)]
    public int LinearScan()
    {
        var visible = 0;
        foreach (var path in _paths)
            visible += (int)_matcher.DecideByLinearScan(path).Permission;
        return visible;
    }

    [Benchmark(OperationsPerInvoke = PolicyWorkload.PathCount)]
    public int Indexed()
    {
        var visible = 0;
        foreach (var path in _paths)
            visible += (int)_matcher.DecideByRules(path).Permission;
        return visible;
    }
}
