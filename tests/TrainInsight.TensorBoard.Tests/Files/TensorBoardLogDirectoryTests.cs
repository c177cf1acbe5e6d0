using TrainInsight.TensorBoard.Tests.Infrastructure;

namespace TrainInsight.TensorBoard.Tests.Files;

public sealed class TensorBoardLogDirectoryTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void EnumerateEventFiles_NestedRuns_SortedByRunThenFileNameWithSlashSeparatedRuns()
    {
        Touch("events.out.tfevents.2.host");
        Touch("events.out.tfevents.1.host");
        Touch("train/events.out.tfevents.10.my.host.name.123.0");
        Touch("train/events.out.tfevents.9.my.host.name.123.0");
        Touch("validation/events.out.tfevents.5.host.v2");
        Touch("loss_train/nested/deeper/events.out.tfevents.1.host");
        Touch("b/events.out.tfevents.1.x");
        Touch("B/events.out.tfevents.1.x");

        var files = TensorBoardLogDirectory.EnumerateEventFiles(_directory.Path);

        files.Select(f => (f.Run, Path.GetFileName(f.Path))).Should().Equal(
            (".", "events.out.tfevents.1.host"),
            (".", "events.out.tfevents.2.host"),
            ("B", "events.out.tfevents.1.x"),
            ("b", "events.out.tfevents.1.x"),
            ("loss_train/nested/deeper", "events.out.tfevents.1.host"),
            ("train", "events.out.tfevents.10.my.host.name.123.0"),
            ("train", "events.out.tfevents.9.my.host.name.123.0"),
            ("validation", "events.out.tfevents.5.host.v2"));
        files.Should().OnlyContain(f => Path.IsPathFullyQualified(f.Path) && File.Exists(f.Path));
    }

    [Fact]
    public void EnumerateEventFiles_OtherFiles_AreLeftOut()
    {
        Touch("run/events.out.tfevents.1.host");
        Touch("run/checkpoint.pt");
        Touch("run/projector_config.pbtxt");
        Touch("run/TFEVENTS.upper");
        Directory.CreateDirectory(Path.Combine(_directory.Path, "empty"));

        TensorBoardLogDirectory.EnumerateEventFiles(_directory.Path).Should().ContainSingle()
            .Which.Should().Be(new TensorBoardEventFile("run", Path.Combine(_directory.Path, "run", "events.out.tfevents.1.host")));
    }

    [Fact]
    public void EnumerateEventFiles_EmptyDirectory_ReturnsNothing() =>
        TensorBoardLogDirectory.EnumerateEventFiles(_directory.Path).Should().BeEmpty();

    [Fact]
    public void EnumerateEventFiles_MissingDirectory_ThrowsDirectoryNotFoundNamingIt()
    {
        var missing = Path.Combine(_directory.Path, "nope");

        var act = () => TensorBoardLogDirectory.EnumerateEventFiles(missing);

        act.Should().Throw<DirectoryNotFoundException>().WithMessage($"*{missing}*");
    }

    [Fact]
    public void EnumerateEventFiles_FixtureFolder_ListsEachRun()
    {
        var runs = TensorBoardLogDirectory.EnumerateEventFiles(Fixtures.Directory).Select(f => f.Run).Distinct().ToList();

        runs.Should().Equal(
            "lingvo",
            "mlagents-soccerppo",
            "tensorboard-reducer/duplicate_steps/run_1",
            "tensorboard-reducer/duplicate_steps/run_2",
            "tensorboard-reducer/duplicate_steps/run_3",
            "tensorboard-reducer/lax/run_1",
            "tensorboard-reducer/lax/run_2",
            "tensorboard-reducer/lax/run_3",
            "tensorboard-reducer/strict/run_1",
            "tensorboard-reducer/strict/run_2",
            "tensorboard-reducer/strict/run_3",
            "tfevents-js",
            "wandb");
    }

    private void Touch(string relativePath)
    {
        var path = Path.Combine(_directory.Path, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }
}
