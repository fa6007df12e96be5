using static AgentFense.Runtime.Spawning.NativeStrings;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// Spawns box processes (bwrap, slirp4netns) from one dedicated thread that never exits.
/// </summary>
/// <remarks>
/// Why a thread of its own: bwrap's <c>--die-with-parent</c> uses PR_SET_PDEATHSIG, and the
/// kernel delivers that signal when the <em>thread</em> that forked the child exits, not the
/// process; a thread-pool thread retiring would kill every box it had started. The children are
/// spawned with posix_spawn (no managed code between fork and exec); descriptors are mapped
/// through staging numbers above every source and target, so a source that happens to sit on a
/// target number is never clobbered, and every other descriptor is closed in the child
/// (closefrom), whatever its close-on-exec flag.
/// </remarks>
internal static class SpawnThread
{
    private static readonly BlockingCollection<Action> s_work = [];
    private static readonly Lazy<Thread> s_thread = new(StartThread);

    /// <summary>Runs posix_spawn on the spawn thread; returns the pid.</summary>
    public static Task<int> SpawnAsync(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<(int Source, int Target)> fds)
    {
        _ = s_thread.Value;
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_work.Add(() =>
        {
            try
            {
                var error = Spawn(path, argv, env, fds, out var pid);
                if (error != 0)
                    done.SetException(new IOException($"posix_spawn '{path}' failed: errno {error} ({Marshal.GetPInvokeErrorMessage(error)})"));
                else
                    done.SetResult(pid);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    private static Thread StartThread()
    {
        var thread = new Thread(() =>
        {
            foreach (var work in s_work.GetConsumingEnumerable())
                work();
        })
        {
            IsBackground = true,
            Name = "agentfense box spawner",
        };
        thread.Start();
        return thread;
    }

    private static unsafe int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<(int Source, int Target)> fds, out int pid) =>
        Spawning.NativeSpawn.Spawn(path, argv, env, (actions, owned) =>
        {
            // Every source goes to a staging number above all sources and targets first, so one mapping
            // can never overwrite another's source before it is copied.
            var highest = 2;
            foreach (var (source, target) in fds)
                highest = Math.Max(highest, Math.Max(source, target));
            var staging = highest + 1;
            for (var i = 0; i < fds.Count; i++)
                Interop.Libc.posix_spawn_file_actions_adddup2(actions, fds[i].Source, staging + i);
            var mapsStdin = false;
            for (var i = 0; i < fds.Count; i++)
            {
                Interop.Libc.posix_spawn_file_actions_adddup2(actions, staging + i, fds[i].Target);
                mapsStdin |= fds[i].Target == 0;
            }
            if (!mapsStdin)
                Interop.Libc.posix_spawn_file_actions_addopen(actions, 0, (byte*)Native("/dev/null", owned), Interop.Libc.O_RDONLY, 0);
            var lastTarget = 2;
            foreach (var (_, target) in fds)
                lastTarget = Math.Max(lastTarget, target);
            try
            {
                Interop.Libc.posix_spawn_file_actions_addclosefrom_np(actions, lastTarget + 1);
            }
            catch (EntryPointNotFoundException)
            {
                // musl: staging copies are close-on-exec-free, so close them one by one.
                for (var i = 0; i < fds.Count; i++)
                    Interop.Libc.posix_spawn_file_actions_addclose(actions, staging + i);
            }
        }, out pid);
}
