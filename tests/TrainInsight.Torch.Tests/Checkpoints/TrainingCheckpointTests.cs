using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.Checkpoints;

public sealed class TrainingCheckpointTests
{
    [Fact]
    public void Save_ThenLoadWithTorchSharpsOwnLoad_GivesTheSameWeights()
    {
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "nested", "model.pt");
        random.manual_seed(1);
        using var model = new Mlp(1, 4, 4, [8], 3);
        TrainingCheckpoint.Save(model, path);
        File.Exists(path + TrainingCheckpoint.OptimizerSuffix).Should().BeFalse("no optimizer was given");

        random.manual_seed(2);
        using var other = new Mlp(1, 4, 4, [8], 3);
        other.load(path);
        foreach (var ((name, a), (_, b)) in model.named_parameters().Zip(other.named_parameters()))
        {
            a.allclose(b, rtol: 0, atol: 0).Should().BeTrue(name);
        }
    }

    [Fact]
    public void Save_Twice_ReplacesTheCheckpoint()
    {
        using var folder = new TempDirectory();
        var path = folder.File("model.pt");
        random.manual_seed(1);
        using var first = new Mlp(1, 4, 4, [8], 3);
        random.manual_seed(2);
        using var second = new Mlp(1, 4, 4, [8], 3);
        TrainingCheckpoint.Save(first, path);
        TrainingCheckpoint.Save(second, path);

        random.manual_seed(3);
        using var loaded = new Mlp(1, 4, 4, [8], 3);
        TrainingCheckpoint.Load(loaded, path);
        loaded.parameters().First().allclose(second.parameters().First(), rtol: 0, atol: 0).Should().BeTrue();
        Directory.GetFiles(folder.Path).Should().Equal(path);
    }

    [Fact]
    public void Save_WithoutOptimizerOverACheckpointWithOne_RemovesTheOldOptimizerState()
    {
        using var folder = new TempDirectory();
        var path = folder.File("model.pt");
        using var model = new Mlp(1, 4, 4, [8], 3);
        using var optimizer = optim.Adam(model.parameters());
        TrainingCheckpoint.Save(model, path, optimizer);
        File.Exists(path + TrainingCheckpoint.OptimizerSuffix).Should().BeTrue();

        TrainingCheckpoint.Save(model, path);

        File.Exists(path + TrainingCheckpoint.OptimizerSuffix).Should().BeFalse("an old optimizer state must never be paired with a newer model");
        FluentActions.Invoking(() => TrainingCheckpoint.Load(model, path, optimizer)).Should().Throw<FileNotFoundException>();
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingIt()
    {
        using var folder = new TempDirectory();
        using var model = new Mlp(1, 4, 4, [8], 3);
        var path = folder.File("absent.pt");
        FluentActions.Invoking(() => TrainingCheckpoint.Load(model, path)).Should().Throw<FileNotFoundException>().WithMessage($"*{path}*");
    }

    [Fact]
    public void Load_MissingOptimizerState_ThrowsFileNotFoundNamingIt()
    {
        using var folder = new TempDirectory();
        var path = folder.File("model.pt");
        using var model = new Mlp(1, 4, 4, [8], 3);
        using var optimizer = optim.Adam(model.parameters());
        TrainingCheckpoint.Save(model, path);
        FluentActions.Invoking(() => TrainingCheckpoint.Load(model, path, optimizer))
            .Should().Throw<FileNotFoundException>().WithMessage($"*{path}{TrainingCheckpoint.OptimizerSuffix}*");
    }

    [Fact]
    public async Task Load_GarbageFile_ThrowsInvalidDataNamingTheFile()
    {
        using var folder = new TempDirectory();
        var path = folder.File("garbage.pt");
        await File.WriteAllBytesAsync(path, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        using var model = new Mlp(1, 4, 4, [8], 3);
        FluentActions.Invoking(() => TrainingCheckpoint.Load(model, path)).Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}' is not a checkpoint of this Mlp*");
    }

    [Fact]
    public void Load_CheckpointOfAnotherModel_ThrowsInvalidData()
    {
        using var folder = new TempDirectory();
        var path = folder.File("cnn.pt");
        using var cnn = new SmallCnn();
        TrainingCheckpoint.Save(cnn, path);
        using var mlp = new Mlp(1, 28, 28, [16], 10);
        FluentActions.Invoking(() => TrainingCheckpoint.Load(mlp, path)).Should().Throw<InvalidDataException>().WithMessage($"'{path}'*");
    }

    [Fact]
    public void Load_OptimizerStateOfAnotherKind_ThrowsInvalidDataNamingTheStateFile()
    {
        using var folder = new TempDirectory();
        var path = folder.File("model.pt");
        using var model = new Mlp(1, 4, 4, [8], 3);
        using var sgd = optim.SGD(model.parameters(), 0.1, momentum: 0.9);
        TrainingCheckpoint.Save(model, path, sgd);
        using var adam = optim.Adam(model.parameters());
        FluentActions.Invoking(() => TrainingCheckpoint.Load(model, path, adam)).Should().Throw<InvalidDataException>()
            .WithMessage($"'{path}{TrainingCheckpoint.OptimizerSuffix}' is not the state of this Adam optimizer*");
    }

    [Fact]
    public void SaveAndLoad_InvalidArguments_Throw()
    {
        using var model = new Mlp(1, 4, 4, [8], 3);
        FluentActions.Invoking(() => TrainingCheckpoint.Save(null!, "x.pt")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => TrainingCheckpoint.Save(model, " ")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => TrainingCheckpoint.Load(null!, "x.pt")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => TrainingCheckpoint.Load(model, "")).Should().Throw<ArgumentException>();
    }
}
