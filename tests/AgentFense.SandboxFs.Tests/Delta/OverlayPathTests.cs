using AgentFense.SandboxFs.Delta;

namespace AgentFense.SandboxFs.Tests.Delta;

public sealed class OverlayPathTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a/b.txt")]
    [InlineData("..a/b..")]
    [InlineData(".hidden/x")]
    public void Validate_SafeRelativePath_Success(string path) => Assert.Equal(Errno.Success, OverlayPath.Validate(path));

    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData(".")]
    [InlineData("a/./b")]
    [InlineData("a/..")]
    [InlineData("a//b")]
    [InlineData("a\0")]
    public void Validate_UnsafePath_EINVAL(string path) => Assert.Equal(Errno.EINVAL, OverlayPath.Validate(path));

    [Fact]
    public void Validate_NullOrLongName_Rejected()
    {
        Assert.Equal(Errno.EINVAL, OverlayPath.Validate(null));
        Assert.Equal(Errno.ENAMETOOLONG, OverlayPath.Validate("a/" + new string('n', 256)));
    }

    [Theory]
    [InlineData("a/b/c", "a/b", "c")]
    [InlineData("a", "", "a")]
    public void ParentAndName_Split_LastComponent(string path, string parent, string name)
    {
        Assert.Equal(parent, OverlayPath.Parent(path));
        Assert.Equal(name, OverlayPath.Name(path));
        Assert.Equal(path, OverlayPath.Combine(parent, name));
    }

    [Theory]
    [InlineData("a/b", "a", true)]
    [InlineData("a", "a", true)]
    [InlineData("ab", "a", false)]
    [InlineData("a", "a/b", false)]
    [InlineData("x", "", true)]
    public void IsSameOrUnder_Paths_ComponentWise(string path, string ancestor, bool expected) =>
        Assert.Equal(expected, OverlayPath.IsSameOrUnder(path, ancestor));
}
