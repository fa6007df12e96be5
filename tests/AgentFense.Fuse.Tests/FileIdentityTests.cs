namespace AgentFense.Fuse.Tests;

public class FileIdentityTests
{
    [Fact]
    public void TryGet_SameFileTwice_SameIdentity()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var a = File.OpenHandle(path);
            using var b = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);

            Assert.True(FileIdentity.TryGet(a, out var ia));
            Assert.True(FileIdentity.TryGet(b, out var ib));

            Assert.Equal(ia, ib);
            Assert.NotEqual(0, ia.Ino);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TryGet_DifferentFiles_DifferentIdentity()
    {
        var p1 = Path.GetTempFileName();
        var p2 = Path.GetTempFileName();
        try
        {
            using var a = File.OpenHandle(p1);
            using var b = File.OpenHandle(p2);

            Assert.True(FileIdentity.TryGet(a, out var ia));
            Assert.True(FileIdentity.TryGet(b, out var ib));

            Assert.NotEqual(ia, ib);
        }
        finally
        {
            File.Delete(p1);
            File.Delete(p2);
        }
    }
}
