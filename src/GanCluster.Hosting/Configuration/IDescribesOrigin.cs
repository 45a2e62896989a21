namespace GanCluster.Hosting.Configuration;

/// <summary>A configuration provider that can tell a user where it got a key, in the words they typed it.</summary>
internal interface IDescribesOrigin
{
    /// <summary>Names the switch, variable or file that set <paramref name="key"/>.</summary>
    string DescribeOrigin(string key);
}
