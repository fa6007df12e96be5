using System.Collections.Concurrent;

namespace AgentFense.SandboxFs.Delta;

/// <summary>
/// What a lookup learns about the directories on its way: whether each has an upper directory and whether
/// the lower directory shows through. Lookups of names in a directory already seen then cost the statx of
/// the name alone instead of one per path component and layer.
/// </summary>
/// <remarks>
/// Every namespace change holds the mutation lock; taking and leaving it bumps a generation, and an entry
/// is valid only for the generation a lookup started in, so a lookup racing a change never stores a state
/// that outlives it. Changes made to the codebase from outside the overlay are not seen by cached
/// directories until the next namespace change (the kernel caches names for far longer anyway).
/// </remarks>
public sealed partial class DeltaOverlay
{
    private const int DirectoryCacheBound = 65_536;
    private readonly ConcurrentDictionary<string, (long Generation, bool UpperAlive, bool LowerAlive)> _directories =
        new(StringComparer.Ordinal);
    private long _generation;

    private MutationScope Mutate()
    {
        _mutation.Enter();
        Interlocked.Increment(ref _generation);
        return new MutationScope(this);
    }

    private bool TryGetDirectory(string path, long generation, out bool upperAlive, out bool lowerAlive)
    {
        if (_directories.TryGetValue(path, out var state) && state.Generation == generation)
        {
            (upperAlive, lowerAlive) = (state.UpperAlive, state.LowerAlive);
            return true;
        }
        (upperAlive, lowerAlive) = (false, false);
        return false;
    }

    private void RememberDirectory(string path, long generation, bool upperAlive, bool lowerAlive)
    {
        if (_directories.Count >= DirectoryCacheBound)
            _directories.Clear();
        _directories[path] = (generation, upperAlive, lowerAlive);
    }

    /// <summary>Holds the mutation lock; leaving bumps the generation again (see the remarks above).</summary>
    private readonly ref struct MutationScope(DeltaOverlay overlay)
    {
        public void Dispose()
        {
            Interlocked.Increment(ref overlay._generation);
            overlay._mutation.Exit();
        }
    }
}
