using TrainInsight.TensorBoard.Tests.Infrastructure;

namespace TrainInsight.TensorBoard.Tests.Files;

/// <summary>Real event files written by TensorFlow, PyTorch, tensorboardX, ML-Agents and others (see MANIFEST.md).</summary>
public sealed class TensorBoardEventFileReaderFixtureTests
{
    public static TheoryData<string> ManifestFiles => [.. FixtureManifest.Entries.Select(e => e.RelativePath)];

    [Fact]
    public void Manifest_EveryEventFileOfTheFixtureFolder_IsListed()
    {
        var listed = FixtureManifest.Entries.Select(e => e.RelativePath).Order(StringComparer.Ordinal);
        var found = TensorBoardLogDirectory.EnumerateEventFiles(Fixtures.Directory)
            .Select(f => Path.GetRelativePath(Fixtures.Directory, f.Path).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);

        listed.Should().Equal(found).And.HaveCount(17);
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public void ReadAvailable_ManifestFixture_AccountsForEveryRecordAsListed(string relativePath)
    {
        var entry = FixtureManifest.Entry(relativePath);
        using var reader = new TensorBoardEventFileReader(Fixtures.File(relativePath));

        var events = reader.ReadAvailable();

        new FileInfo(reader.Path).Length.Should().Be(entry.Bytes);
        reader.Position.Should().Be(entry.Bytes, "every byte belongs to a complete record");
        reader.RecordsRead.Should().Be(entry.Records);
        reader.CorruptRecords.Should().Be(0);
        reader.UnreadableRecords.Should().Be(0);
        reader.HasPartialRecord.Should().BeFalse();
        events.Should().HaveCount(entry.Records, "every record is one event");
        events.GroupBy(e => ManifestEventKind(e.Content)).ToDictionary(g => g.Key, g => g.Count())
            .Should().BeEquivalentTo(entry.EventKinds);
        events.Min(e => e.Step).Should().Be(entry.MinStep);
        events.Max(e => e.Step).Should().Be(entry.MaxStep);
        var values = events.SelectMany(e => e.Values).ToList();
        foreach (var (tag, kind, count) in entry.Tags)
        {
            values.Where(v => v.Tag == tag).Select(ManifestValueKind).Should().Equal(Enumerable.Repeat(kind, count), "tag {0}", tag);
        }

        reader.ReadAvailable().Should().BeEmpty("nothing was appended");
    }

    [Theory]
    [MemberData(nameof(ManifestFiles))]
    public void ReadAll_ManifestFixture_ReturnsTheSameEventsAsReadAvailable(string relativePath)
    {
        using var reader = new TensorBoardEventFileReader(Fixtures.File(relativePath));
        var expected = reader.ReadAvailable();

        var all = TensorBoardEventFileReader.ReadAll(Fixtures.File(relativePath)).ToList();

        all.Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
    }

    [Fact]
    public void ReadAvailable_TfeventsJs_SimpleValueWithScalarsMetadataIsAScalar()
    {
        var events = TensorBoardEventFileReader.ReadAll(Fixtures.File("tfevents-js/events.out.tfevents.1687811641.v2")).ToList();

        events.Should().HaveCount(2);
        events[0].Content.Should().Be(TensorBoardEventContent.FileVersion);
        events[0].FileVersion.Should().Be("brain.Event:2");
        events[0].Values.Should().BeEmpty();
        var value = events[1].Values.Should().ContainSingle().Subject;
        value.Tag.Should().Be("hello");
        value.Kind.Should().Be(TensorBoardValueKind.Scalar);
        value.PluginName.Should().Be("scalars");
        events[1].Step.Should().Be(0);
    }

    [Fact]
    public void ReadAll_LingvoTf1File_ReadsEverySeriesAtEveryStep()
    {
        var events = TensorBoardEventFileReader.ReadAll(Fixtures.File("lingvo/events.out.tfevents.test")).ToList();

        events[0].FileVersion.Should().Be("brain.Event:2");
        var bleu = events.SelectMany(e => e.Values.Select(v => (e.Step, v))).Where(p => p.v.Tag == "bleu/dev").ToList();
        bleu.Should().HaveCount(360).And.OnlyContain(p => p.v.Kind == TensorBoardValueKind.Scalar && p.v.PluginName == null);
        bleu.Select(p => p.Step).Should().BeInAscendingOrder();
        bleu.Should().OnlyContain(p => double.IsFinite(p.v.Value));
        events.SelectMany(e => e.Values).Select(v => v.Tag).Distinct().Should().HaveCount(7);
    }

    [Fact]
    public void ReadAll_TensorBoardReducerDuplicateSteps_KeepsEveryDuplicate()
    {
        var values = TensorBoardEventFileReader.ReadAll(Fixtures.File("tensorboard-reducer/duplicate_steps/run_1/events.out.tfevents.1622966509.janoshs-mbp.lan.86059.0"))
            .SelectMany(e => e.Values.Select(v => (e.Step, v.Tag))).ToList();

        values.Count(v => v.Tag == "dup_steps/foo").Should().Be(210);
        values.Where(v => v.Tag == "dup_steps/foo").Select(v => v.Step).Distinct().Should().HaveCount(200, "ten (tag, step) pairs are written twice");
    }

    [Fact]
    public void ReadAll_WandbSimple_DecodesHistogramScalarAndImage()
    {
        var events = TensorBoardEventFileReader.ReadAll(Fixtures.File("wandb/events.out.tfevents.111.simple.localdomain")).ToList();

        var values = events.SelectMany(e => e.Values).ToDictionary(v => v.Tag);
        var histogram = values["histo"].Histogram!;
        values["histo"].Kind.Should().Be(TensorBoardValueKind.Histogram);
        histogram.BucketLimits.Should().NotBeEmpty().And.HaveSameCount(histogram.BucketCounts);
        histogram.BucketCounts.Sum().Should().BeApproximately(histogram.Count, 1e-9);
        histogram.Min.Should().BeLessThanOrEqualTo(histogram.Max);
        values["loss"].Kind.Should().Be(TensorBoardValueKind.Scalar);
        values["image"].Kind.Should().Be(TensorBoardValueKind.Image);
        values["image"].ImageWidth.Should().BePositive();
        values["image"].ImageHeight.Should().BePositive();
        events.Max(e => e.Step).Should().Be(20000);
    }

    [Fact]
    public void ReadAll_WandbKerasFile_ReportsGraphAndMetaGraphWithoutValues()
    {
        var events = TensorBoardEventFileReader.ReadAll(Fixtures.File("wandb/events.out.tfevents.1585769947.cvp")).ToList();

        events.Select(e => e.Content).Should().Contain([TensorBoardEventContent.GraphDef, TensorBoardEventContent.MetaGraphDef]);
        events.Where(e => e.Content is TensorBoardEventContent.GraphDef or TensorBoardEventContent.MetaGraphDef).Should().OnlyContain(e => e.Values.Count == 0);
        var epochLoss = events.SelectMany(e => e.Values.Select(v => (e.Step, v))).Where(p => p.v.Tag == "epoch_loss").ToList();
        epochLoss.Select(p => p.Step).Should().Equal(Enumerable.Range(0, 17).Select(i => (long)i));
    }

    [Fact]
    public void ReadAll_WandbComplex_CustomScalarsLayoutIsATensorOfItsPlugin()
    {
        var values = TensorBoardEventFileReader.ReadAll(Fixtures.File("wandb/events.out.tfevents.111.complex.localdomain"))
            .SelectMany(e => e.Values).ToList();

        var layout = values.Should().ContainSingle(v => v.Tag == "custom_scalars__config__").Subject;
        layout.Kind.Should().Be(TensorBoardValueKind.Tensor);
        layout.PluginName.Should().Be("custom_scalars");
        values.Count(v => v.Tag == "conditional_patch_1-G/GAN_loss").Should().Be(31);
        values.Should().Contain(v => v.Kind == TensorBoardValueKind.Histogram);
    }

    [Fact]
    public void ReadAll_MlAgentsHyperparameters_DecodesTheTextPluginTensor()
    {
        var events = TensorBoardEventFileReader.ReadAll(Fixtures.File("mlagents-soccerppo/events.out.tfevents.1672811155.Animeshs-MacBook-Pro.local.73546.0")).ToList();

        var text = events.SelectMany(e => e.Values).Should().ContainSingle().Subject;
        text.Tag.Should().Be("Hyperparameters/text_summary");
        text.Kind.Should().Be(TensorBoardValueKind.Text);
        text.PluginName.Should().Be("text");
        text.Text.Should().NotBeNullOrWhiteSpace();
    }

    private static string ManifestEventKind(TensorBoardEventContent content) => content switch
    {
        TensorBoardEventContent.FileVersion => "file_version",
        TensorBoardEventContent.Summary => "summary",
        TensorBoardEventContent.GraphDef => "graph_def",
        TensorBoardEventContent.MetaGraphDef => "meta_graph_def",
        _ => content.ToString(),
    };

    private static string ManifestValueKind(TensorBoardValue value) => value.Kind switch
    {
        TensorBoardValueKind.Scalar => value.PluginName is null ? "simple_value" : "simple_value/" + value.PluginName,
        TensorBoardValueKind.Histogram => "histo",
        TensorBoardValueKind.Image => "image",
        TensorBoardValueKind.Text or TensorBoardValueKind.Tensor => $"tensor/{value.PluginName}/DT_STRING",
        _ => value.Kind.ToString(),
    };
}
