namespace GanCluster.Rank.Tests;

/// <summary>A worker reads datasets only inside its data roots (issue 13): relative paths, dot-dots and links included.</summary>
public sealed class DataRootsTests
{
    [Fact]
    public void A_relative_path_resolves_against_the_first_root_not_the_working_directory()
    {
        var root = Directory.CreateTempSubdirectory("gancluster-roots-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "digits"));
        var roots = new DataRoots([root]);
        Assert.NotEqual(root, Environment.CurrentDirectory);
        Assert.Equal(Path.Combine(roots.Roots[0], "digits"), roots.Resolve("digits"));
        Assert.Equal(Path.Combine(roots.Roots[0], "not-yet"), roots.Resolve("not-yet"));
    }

    [Fact]
    public void Absolute_paths_dot_dots_and_links_that_leave_the_roots_are_refused_by_name()
    {
        var root = Directory.CreateTempSubdirectory("gancluster-roots-").FullName;
        var other = Directory.CreateTempSubdirectory("gancluster-other-").FullName;
        File.CreateSymbolicLink(Path.Combine(root, "escape"), "/etc");
        Directory.CreateDirectory(Path.Combine(root, "inside"));
        File.CreateSymbolicLink(Path.Combine(root, "alias"), Path.Combine(root, "inside"));
        var roots = new DataRoots([root, other]);
        foreach (var hostile in new[] { "/etc", "../../../../etc", "escape", "escape/ssl", $"{root}/../{Path.GetFileName(root)}-sibling" })
        {
            var refused = Assert.Throws<DataRootException>(() => roots.Resolve(hostile));
            Assert.Contains($"dataset.path '{hostile}'", refused.Message);
            Assert.Contains("outside this worker's data roots", refused.Message);
        }
        Assert.Throws<DataRootException>(() => roots.Resolve("a\0b"));
        // A link that stays inside is followed, and the second root is allowed too.
        Assert.Equal(Path.Combine(roots.Roots[0], "inside"), roots.Resolve("alias"));
        Assert.Equal(roots.Roots[1], roots.Resolve(other));
    }
}
