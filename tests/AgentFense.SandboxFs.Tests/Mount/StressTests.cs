using System.Security.Cryptography;
using AgentFense.Policy;

namespace AgentFense.SandboxFs.Tests.Mount;

/// <summary>Many writers and readers at once on one mount; every byte checked.</summary>
[Trait("Requires", "Fuse")]
public class StressTests
{
    [Fact]
    public async Task ParallelWritersAndReaders_EveryByteAsWritten()
    {
        const int writers = 6, filesPerWriter = 30, lowerFiles = 40;
        var lowerContent = Enumerable.Range(0, lowerFiles).Select(i => Bytes(1000 + i, 4096 + i * 997)).ToArray();
        using var sb = new MountedSandbox(
            [new PermissionRule("**", Permission.Write)],
            tree =>
            {
                for (var i = 0; i < lowerFiles; i++)
                {
                    tree.Dir("lower");
                    File.WriteAllBytes(Path.Combine(tree.Root, $"lower/f{i}"), lowerContent[i]);
                }
            });
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            // At least one pass even when the pool schedules the readers only after the writers are done.
            var reads = 0;
            do
            {
                var i = (reads + r * 7) % (lowerFiles - writers); // writers append to the last ones
                Assert.Equal(lowerContent[i], File.ReadAllBytes(sb[$"lower/f{i}"]));
                reads++;
            }
            while (!stop.IsCancellationRequested || reads < lowerFiles - writers);
            return reads;
        })).ToArray();
        var expected = new System.Collections.Concurrent.ConcurrentDictionary<string, byte[]>();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            var dir = sb[$"w{w}"];
            Directory.CreateDirectory(dir);
            for (var f = 0; f < filesPerWriter; f++)
            {
                var data = Bytes(w * 1000 + f, 1 + (w * 7919 + f * 104_729) % 400_000);
                var path = Path.Combine(dir, $"file{f}");
                File.WriteAllBytes(path, data);
                Assert.Equal(data, File.ReadAllBytes(path));
                if (f % 3 == 0)
                {
                    File.Move(path, path + ".renamed");
                    path += ".renamed";
                }
                if (f % 5 == 0)
                {
                    using var stream = new FileStream(path, FileMode.Append);
                    stream.Write(data, 0, Math.Min(data.Length, 1000));
                    data = [.. data, .. data.AsSpan(0, Math.Min(data.Length, 1000))];
                }
                if (f % 7 == 0)
                {
                    File.Delete(path);
                    continue;
                }
                expected[$"w{w}/{Path.GetFileName(path)}"] = data;
            }
            // Writers also modify lower files (copy-up under concurrent readers of other files).
            var mine = lowerFiles - 1 - w;
            File.AppendAllText(sb[$"lower/f{mine}"], $"writer {w}");
        }, TestContext.Current.CancellationToken)));
        stop.Cancel();
        var totalReads = (await Task.WhenAll(readers)).Sum();
        Assert.True(totalReads > 0);

        foreach (var (path, data) in expected)
        {
            Assert.Equal(data, File.ReadAllBytes(sb[path]));
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(sb.Delta, path)));
        }
        for (var w = 0; w < writers; w++)
        {
            var files = Directory.GetFiles(sb[$"w{w}"]).Select(p => $"w{w}/{Path.GetFileName(p)}").Order().ToArray();
            Assert.Equal(expected.Keys.Where(k => k.StartsWith($"w{w}/", StringComparison.Ordinal)).Order().ToArray(), files);
            var i = lowerFiles - 1 - w;
            Assert.Equal([.. lowerContent[i], .. System.Text.Encoding.UTF8.GetBytes($"writer {w}")], File.ReadAllBytes(sb[$"lower/f{i}"]));
            Assert.Equal(lowerContent[i], File.ReadAllBytes(Path.Combine(sb.Source, $"lower/f{i}")));
        }
        Assert.Empty(sb.Log);
    }

    private static byte[] Bytes(int seed, int length)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public void ShellProcessesInParallel_ChecksumsMatch()
    {
        using var sb = new MountedSandbox([new PermissionRule("**", Permission.Write)]);
        var script = "for p in 1 2 3 4; do (i=0; while [ $i -lt 25 ]; do head -c $((i * 4099 + p)) /dev/urandom > p$p-$i; " +
                     "cp p$p-$i p$p-$i.copy; cmp p$p-$i p$p-$i.copy || exit 1; i=$((i+1)); done) & done; wait; " +
                     "ls | wc -l; for f in p*-*[0-9]; do cmp $f $f.copy || echo MISMATCH $f; done";
        var (code, output, err) = sb.Sh(script);
        Assert.True(code == 0, err);
        Assert.Equal("200", output.Split('\n')[0].Trim());
        Assert.DoesNotContain("MISMATCH", output);
        // Byte for byte the same in the delta on the host.
        foreach (var file in Directory.GetFiles(sb.MountPoint))
            Assert.Equal(SHA256.HashData(File.ReadAllBytes(file)), SHA256.HashData(File.ReadAllBytes(Path.Combine(sb.Delta, Path.GetFileName(file)))));
    }
}
