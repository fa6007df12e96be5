namespace AgentFense.Policy.Tests;

/// <summary>Every glob feature, through a one-rule policy (the matcher's public surface).</summary>
public class GlobTests
{
    private static bool Matches(string pattern, string path) =>
        PolicyMatcher.Compile([new PermissionRule(pattern, Permission.Read)]).DecideByRules(path).Permission == Permission.Read;

    [Theory]
    [InlineData("*.md", "README.md", true)]
    [InlineData("*.md", "docs/README.md", false)] // anchored: top level only
    [InlineData("**/*.md", "README.md", true)]    // ** spans zero segments
    [InlineData("**/*.md", "docs/adr/0001.md", true)]
    [InlineData("*", "a", true)]
    [InlineData("*", "a/b", false)]
    [InlineData("*", ".hidden", true)]            // no special case for dot files
    [InlineData("src/*.py", "src/main.py", true)]
    [InlineData("src/*.py", "src/pkg/main.py", false)] // * never crosses '/'
    [InlineData("src/**/*.py", "src/main.py", true)]
    [InlineData("src/**/*.py", "src/a/b/c/main.py", true)]
    [InlineData("src/**/test_*.py", "src/a/test_x.py", true)]
    [InlineData("src/**/test_*.py", "src/a/x_test.py", false)]
    [InlineData("a/**/b", "a/b", true)]
    [InlineData("a/**/b", "a/x/y/b", true)]
    [InlineData("a/**/b", "a/x/y/bc", false)]
    [InlineData("**", "anything/at/all", true)]
    [InlineData("**/*", "x/y", true)]
    public void Star_And_DoubleStar(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Matches(pattern, path));

    [Theory]
    [InlineData("docs/**", "docs", true)]         // dir/** matches the dir itself
    [InlineData("docs/**", "docs/a/b.md", true)]
    [InlineData("docs/**", "docsx", false)]
    [InlineData("docs/**", "src/docs", false)]
    [InlineData("/docs/**", "docs/a", true)]      // leading slash means the same
    [InlineData("docs/", "docs", true)]           // trailing slash ignored
    [InlineData("./docs/*.md", "docs/a.md", true)]
    [InlineData("docs//*.md", "docs/a.md", true)]
    public void Anchoring_And_Normalization(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Matches(pattern, path));

    [Theory]
    [InlineData("file?.txt", "file1.txt", true)]
    [InlineData("file?.txt", "file.txt", false)]
    [InlineData("file?.txt", "file12.txt", false)]
    [InlineData("?", "a/b", false)]               // ? never matches '/'
    [InlineData("[abc].txt", "b.txt", true)]
    [InlineData("[abc].txt", "d.txt", false)]
    [InlineData("[a-c]x", "cx", true)]
    [InlineData("[a-c]x", "dx", false)]
    [InlineData("[!a-c]x", "dx", true)]
    [InlineData("[!a-c]x", "ax", false)]
    [InlineData("[^a]x", "bx", true)]
    [InlineData("[]]x", "]x", true)]              // ']' first in a class is literal
    [InlineData("[a-z0-9_]*.log", "9abc.log", true)]
    [InlineData("*[0-9]", "build42", true)]
    [InlineData("*[0-9]", "build", false)]
    public void AnyChar_And_Classes(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Matches(pattern, path));

    [Theory]
    [InlineData(@"\*.md", "*.md", true)]
    [InlineData(@"\*.md", "a.md", false)]
    [InlineData(@"what\?", "what?", true)]
    [InlineData(@"what\?", "whatx", false)]
    [InlineData(@"\[x]", "[x]", true)]
    [InlineData(@"[\]]", "]", true)]
    [InlineData(@"a\\b", @"a\b", true)]
    public void Escapes(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Matches(pattern, path));

    [Theory]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "aXbYc", true)]
    [InlineData("a*b*c", "aXbY", false)]
    [InlineData("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("*.tar.gz", "x.tar.gz", true)]
    [InlineData(".env*", ".env", true)]
    [InlineData(".env*", ".env.local", true)]
    [InlineData(".env*", "x.env", false)]
    public void Backtracking(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Matches(pattern, path));

    [Theory]
    [InlineData("**/secrets/**", "secrets", true)]
    [InlineData("**/secrets/**", "a/b/secrets/c/d", true)]
    [InlineData("**/secrets/**", "a/secretsx/c", false)]
    [InlineData("**/credentials*", "deploy/credentials.json", true)]
    [InlineData("**/Makefile", "a/b/Makefile", true)]
    [InlineData("**/Makefile", "a/Makefile/b", false)]
    [InlineData("src/*/build/**", "src/app/build/out.o", true)]
    [InlineData("src/*/build/**", "src/app/x/build/out.o", false)]
    [InlineData("*/tests/**", "pkg/tests/t.py", true)]
    public void IndexedShapes_AgreeWithGlobSemantics(string pattern, string path, bool expected) =>
        Assert.Equal(expected, Matches(pattern, path));
}
