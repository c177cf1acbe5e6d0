namespace TrainInsight.TensorBoard.Tests.Infrastructure;

/// <summary>
/// Finds the real TensorBoard event files: the copy in this test project (Fixtures/tfevents), else the workplace's
/// shared folder beside the repository (<c>&lt;repo&gt;/../shared/fixtures/tfevents</c>). The repository is the first
/// folder above the test assembly that holds TrainInsight.sln.
/// </summary>
internal static class Fixtures
{
    private static readonly Lazy<string> s_directory = new(Locate);

    public static string Directory => s_directory.Value;

    public static string Manifest => Path.Combine(Directory, "MANIFEST.md");

    /// <summary>The full path of a fixture, from its path relative to the fixture folder ('/' separators).</summary>
    public static string File(string relativePath) => Path.Combine(Directory, relativePath.Replace('/', Path.DirectorySeparatorChar));

    public static byte[] ReadBytes(string relativePath) => System.IO.File.ReadAllBytes(File(relativePath));

    private static string Locate()
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (repository is not null && !System.IO.File.Exists(Path.Combine(repository.FullName, "TrainInsight.sln")))
        {
            repository = repository.Parent;
        }

        if (repository is null)
        {
            throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds TrainInsight.sln.");
        }

        string[] candidates =
        [
            Path.Combine(repository.FullName, "tests", "TrainInsight.TensorBoard.Tests", "Fixtures", "tfevents"),
            Path.Combine(repository.FullName, "..", "shared", "fixtures", "tfevents"),
        ];
        return candidates.Select(Path.GetFullPath).FirstOrDefault(c => System.IO.File.Exists(Path.Combine(c, "MANIFEST.md")))
            ?? throw new InvalidOperationException($"The tfevents fixtures are in none of: {string.Join(", ", candidates)}.");
    }
}
