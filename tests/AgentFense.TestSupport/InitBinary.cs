using System.Diagnostics;

namespace AgentFense.TestSupport;

/// <summary>
/// The NativeAOT agentfense-init the tests run: <c>AGENTFENSE_INIT_PATH</c> if set, else published
/// into <c>.build/init/</c> of the repository (skipped when that binary is newer than every source it
/// is built from), so a clean clone needs nothing but <c>dotnet test</c>. Test assemblies run in
/// parallel processes: a file lock (<c>.build/init.lock</c>) lets one of them publish while the
/// others wait and then find the binary fresh.
/// </summary>
public static class InitBinary
{
    private static readonly Lazy<string> s_path = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Absolute path of the agentfense-init binary.</summary>
    public static string Path => s_path.Value;

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("AGENTFENSE_INIT_PATH") is { Length: > 0 } given)
            return given;
        var output = System.IO.Path.Combine(RepoPaths.Root, ".build", "init");
        var binary = System.IO.Path.Combine(output, "agentfense-init");
        if (IsUpToDate(binary))
            return binary;
        Directory.CreateDirectory(System.IO.Path.Combine(RepoPaths.Root, ".build"));
        using (AcquireLock(System.IO.Path.Combine(RepoPaths.Root, ".build", "init.lock")))
        {
            if (!IsUpToDate(binary))
                Publish(output);
        }
        return File.Exists(binary) ? binary : throw new InvalidOperationException($"publishing agentfense-init produced no {binary}");
    }

    /// <summary>An exclusive lock on <paramref name="path"/> (.NET takes flock(LOCK_EX) for FileShare.None), waited for.</summary>
    private static FileStream AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
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

    private static bool IsUpToDate(string binary)
    {
        if (!File.Exists(binary))
            return false;
        var built = File.GetLastWriteTimeUtc(binary);
        string[] sources =
        [
            System.IO.Path.Combine(RepoPaths.Root, "src", "AgentFense.Init"),
            System.IO.Path.Combine(RepoPaths.Root, "src", "AgentFense.Init.Protocol"),
            System.IO.Path.Combine(RepoPaths.Root, "src", "Common", "Interop", "Linux"),
        ];
        foreach (var dir in sources)
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                if ((file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".csproj", StringComparison.Ordinal))
                    && !file.Contains("/obj/", StringComparison.Ordinal) && !file.Contains("/bin/", StringComparison.Ordinal)
                    && File.GetLastWriteTimeUtc(file) > built)
                    return false;
            }
        }
        return true;
    }

    private static void Publish(string output)
    {
        var project = System.IO.Path.Combine(RepoPaths.Root, "src", "AgentFense.Init", "AgentFense.Init.csproj");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "publish", project, "-c", "Release", "-o", output, "--nologo", "-v", "quiet" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.Root,
        };
        // The test host's MSBuild variables would point the nested build at the wrong SDK node.
        foreach (var key in start.Environment.Keys.ToArray())
        {
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(key);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet publish agentfense-init failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        // Publishing may keep the old file's time when nothing changed; the next check must see it fresh.
        File.SetLastWriteTimeUtc(System.IO.Path.Combine(output, "agentfense-init"), DateTime.UtcNow);
    }
}
