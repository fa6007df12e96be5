using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed class WhiteoutTests
{
    [Theory]
    [InlineData(".wh.file", true, "file")]
    [InlineData(".wh..hidden", true, ".hidden")]
    [InlineData(".wh..wh..opq", false, "")]
    [InlineData(".wh..wh..work", false, "")]
    [InlineData(".wh.", false, "")]
    [InlineData("file", false, "")]
    public void TryGetHiddenName_Names_WhiteoutsOnly(string name, bool isWhiteout, string hidden)
    {
        Assert.Equal(isWhiteout, Whiteout.TryGetHiddenName(name, out var actual));
        Assert.Equal(hidden, actual);
    }

    [Fact]
    public void IsReserved_WhPrefix_Reserved()
    {
        Assert.True(Whiteout.IsReserved(".wh.x"));
        Assert.True(Whiteout.IsReserved(Whiteout.OpaqueMarker));
        Assert.False(Whiteout.IsReserved(".whx"));
        Assert.Equal(".wh.a", Whiteout.For("a"));
    }
}
