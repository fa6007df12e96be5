using System.Diagnostics;

namespace AgentFense.TestSupport;

/// <summary>
/// The local images the docker tests run (no registry is reachable from CI), built once by
/// <c>tests/images/build.sh</c> from this host's Debian packages: <see cref="Debian"/> (bash, coreutils,
/// procps, util-linux on glibc) and <see cref="Busybox"/> (busybox-static alone, no libc). Test assemblies
/// run in parallel processes: a file lock lets one build while the others wait.
/// </summary>
public static class TestImages
{
    /// <summary>A Debian-based image of the programs the box suite uses.</summary>
    public const string Debian = "agentfense-test/debian:1";

    /// <summary>A static busybox and nothing else.</summary>
    public const string Busybox = "agentfense-test/busybox:1";

    private static readonly Lazy<bool> s_built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Builds the images unless they exist; throws with the script's output when it fails.</summary>
    public static void Ensure() => _ = s_built.Value;

    private static bool Build()
    {
        Directory.CreateDirectory(Path.Combine(RepoPaths.Root, ".build"));
        using (AcquireLock(Path.Combine(RepoPaths.Root, ".build", "images.lock")))
        {
            var start = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root, "tests", "images", "build.sh")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("bash could not be started");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"tests/images/build.sh failed ({process.ExitCode}):\n{stdout}\n{stderr.Result}");
            return true;
        }
    }

    /// <summary>An exclusive lock on <paramref name="path"/> (.NET takes flock(LOCK_EX) for FileShare.None), waited for.</summary>
    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }
}
