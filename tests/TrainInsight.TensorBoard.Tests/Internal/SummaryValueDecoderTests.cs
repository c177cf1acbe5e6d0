using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using TrainInsight.TensorBoard.Protos;
using TrainInsight.TensorBoard.Tests.Infrastructure;
using static TrainInsight.TensorBoard.Tests.Infrastructure.EventFileBuilder;

namespace TrainInsight.TensorBoard.Tests.Internal;

/// <summary>How each encoding of a summary value decodes, through files written in the documented format.</summary>
public sealed class SummaryValueDecoderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Decode_Tf2RankZeroFloatTensorContent_IsAScalar()
    {
        var tensor = Tensor(DataType.DtFloat);
        tensor.TensorContent = ByteString.CopyFrom(LittleEndianSingle(0.25f));

        var value = ReadSingleValue(TensorValue("loss", tensor, "scalars"));

        value.Kind.Should().Be(TensorBoardValueKind.Scalar);
        value.Value.Should().Be(0.25);
        value.PluginName.Should().Be("scalars");
        value.Tag.Should().Be("loss");
    }

    public static TheoryData<int, byte[], double> TensorContentScalars => new()
    {
        { (int)DataType.DtFloat, LittleEndianSingle(-1.5f), -1.5 },
        { (int)DataType.DtDouble, BitConverter.GetBytes(0.1).AsSpan().ToArray(), 0.1 },
        { (int)DataType.DtHalf, [0x00, 0x3C], 1.0 },
        { (int)DataType.DtBfloat16, [0x80, 0x3F], 1.0 },
        { (int)DataType.DtInt32, [0xFE, 0xFF, 0xFF, 0xFF], -2 },
        { (int)DataType.DtInt64, [0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00], 4294967296 },
        { (int)DataType.DtInt16, [0x00, 0x80], -32768 },
        { (int)DataType.DtInt8, [0xFF], -1 },
        { (int)DataType.DtUint8, [0xFF], 255 },
        { (int)DataType.DtUint32, [0xFF, 0xFF, 0xFF, 0xFF], uint.MaxValue },
        { (int)DataType.DtBool, [0x01], 1 },
    };

    [Theory]
    [MemberData(nameof(TensorContentScalars))]
    public void Decode_ScalarsPluginTensorContent_ReadsLittleEndianElement(int dtype, byte[] content, double expected)
    {
        var tensor = Tensor((DataType)dtype);
        tensor.TensorContent = ByteString.CopyFrom(content);

        var value = ReadSingleValue(TensorValue("t", tensor, "scalars"));

        value.Kind.Should().Be(TensorBoardValueKind.Scalar);
        value.Value.Should().Be(expected);
    }

    [Fact]
    public void Decode_FloatValScalar_IsAScalar()
    {
        var tensor = Tensor(DataType.DtFloat);
        tensor.FloatVal.Add(3.5f);

        ReadSingleValue(TensorValue("f", tensor, "scalars")).Value.Should().Be(3.5);
    }

    [Fact]
    public void Decode_DoubleValScalar_KeepsDoublePrecision()
    {
        var tensor = Tensor(DataType.DtDouble);
        tensor.DoubleVal.Add(0.1);

        ReadSingleValue(TensorValue("d", tensor, "scalars")).Value.Should().Be(0.1);
    }

    [Fact]
    public void Decode_HalfValAndInt64ValScalars_AreScalars()
    {
        var half = Tensor(DataType.DtHalf);
        half.HalfVal.Add(0x3C00);
        var int64 = Tensor(DataType.DtInt64);
        int64.Int64Val.Add(long.MaxValue);

        var values = ReadValues(TensorValue("h", half, "scalars"), TensorValue("i", int64, "scalars"));

        values.Select(v => (v.Kind, v.Value)).Should().Equal((TensorBoardValueKind.Scalar, 1.0), (TensorBoardValueKind.Scalar, (double)long.MaxValue));
    }

    [Fact]
    public void Decode_ScalarsPluginShapeOneTensor_IsAScalar()
    {
        var tensor = Tensor(DataType.DtFloat, 1);
        tensor.FloatVal.Add(2f);

        ReadSingleValue(TensorValue("s", tensor, "scalars")).Kind.Should().Be(TensorBoardValueKind.Scalar);
    }

    [Fact]
    public void Decode_RankZeroNumericTensorWithoutPlugin_IsAScalar()
    {
        var tensor = Tensor(DataType.DtDouble);
        tensor.DoubleVal.Add(-7);

        var value = ReadSingleValue(TensorValue("plain", tensor, plugin: null));

        value.Kind.Should().Be(TensorBoardValueKind.Scalar);
        value.Value.Should().Be(-7);
        value.PluginName.Should().BeNull();
    }

    [Fact]
    public void Decode_VectorTensorWithoutPlugin_IsATensor()
    {
        var tensor = Tensor(DataType.DtFloat, 2);
        tensor.FloatVal.Add([1f, 2f]);

        ReadSingleValue(TensorValue("vector", tensor, plugin: null)).Kind.Should().Be(TensorBoardValueKind.Tensor);
    }

    [Fact]
    public void Decode_ScalarsPluginTensorWithWrongContentLength_IsUnknown()
    {
        var tensor = Tensor(DataType.DtFloat);
        tensor.TensorContent = ByteString.CopyFrom(1, 2, 3);

        ReadSingleValue(TensorValue("bad", tensor, "scalars")).Kind.Should().Be(TensorBoardValueKind.Unknown);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("scalars")]
    public void Decode_SimpleValue_IsAScalarWithOrWithoutMetadata(string? plugin)
    {
        var value = ReadSingleValue(SimpleValue("acc", 0.75f, plugin));

        value.Kind.Should().Be(TensorBoardValueKind.Scalar);
        value.Value.Should().Be(0.75);
        value.PluginName.Should().Be(plugin);
    }

    [Fact]
    public void Decode_NonFiniteSimpleValues_AreKept()
    {
        var values = ReadValues(SimpleValue("nan", float.NaN), SimpleValue("inf", float.PositiveInfinity), SimpleValue("-inf", float.NegativeInfinity));

        values.Select(v => v.Value).Should().Equal(double.NaN, double.PositiveInfinity, double.NegativeInfinity);
    }

    [Fact]
    public void Decode_HistogramProto_CopiesEveryField()
    {
        var histo = new HistogramProto { Min = -1, Max = 3, Num = 6, Sum = 4.5, SumSquares = 11 };
        histo.BucketLimit.Add([0, 1, 3]);
        histo.Bucket.Add([2, 1, 3]);

        var value = ReadSingleValue(new Summary.Types.Value { Tag = "weights", Histo = histo });

        value.Kind.Should().Be(TensorBoardValueKind.Histogram);
        value.Histogram.Should().BeEquivalentTo(new TensorBoardHistogram
        {
            Min = -1,
            Max = 3,
            Count = 6,
            Sum = 4.5,
            SumSquares = 11,
            BucketLimits = [0, 1, 3],
            BucketCounts = [2, 1, 3],
        });
    }

    [Fact]
    public void Decode_Tf2DoubleHistogramTensor_SummarisesBucketsFromTheirCentres()
    {
        double[] rows = [0, 1, 2, /**/ 1, 3, 1, /**/ 3, 4, 0];
        var tensor = Tensor(DataType.DtDouble, 3, 3);
        tensor.TensorContent = ByteString.CopyFrom(rows.SelectMany(BitConverter.GetBytes).ToArray());

        var value = ReadSingleValue(TensorValue("w", tensor, "histograms"));

        value.Kind.Should().Be(TensorBoardValueKind.Histogram);
        value.Histogram.Should().BeEquivalentTo(new TensorBoardHistogram
        {
            Min = 0,
            Max = 4,
            Count = 3,
            Sum = (2 * 0.5) + (1 * 2.0),
            SumSquares = (2 * 0.25) + (1 * 4.0),
            BucketLimits = [1, 3, 4],
            BucketCounts = [2, 1, 0],
        });
    }

    [Fact]
    public void Decode_HistogramTensorInDoubleVal_IsAHistogram()
    {
        var tensor = Tensor(DataType.DtDouble, 1, 3);
        tensor.DoubleVal.Add([-2, 2, 10]);

        var histogram = ReadSingleValue(TensorValue("w", tensor, "histograms")).Histogram!;

        (histogram.Min, histogram.Max, histogram.Count, histogram.Sum).Should().Be((-2, 2, 10, 0));
    }

    [Fact]
    public void Decode_EmptyHistogramTensor_IsAnEmptyHistogram()
    {
        var value = ReadSingleValue(TensorValue("w", Tensor(DataType.DtDouble, 0, 3), "histograms"));

        value.Kind.Should().Be(TensorBoardValueKind.Histogram);
        value.Histogram!.Count.Should().Be(0);
        value.Histogram.BucketLimits.Should().BeEmpty();
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(1L << 40, 3)]
    public void Decode_HistogramTensorWithWrongShape_IsUnknown(long rows, long columns)
    {
        var tensor = Tensor(DataType.DtDouble, rows, columns);
        tensor.TensorContent = ByteString.CopyFrom(new byte[48]);

        ReadSingleValue(TensorValue("w", tensor, "histograms")).Kind.Should().Be(TensorBoardValueKind.Unknown);
    }

    [Fact]
    public void Decode_TextTensorWithSeveralStrings_JoinsThemWithNewLines()
    {
        var tensor = StringTensor(Encoding.UTF8.GetBytes("lr: 0.1"), Encoding.UTF8.GetBytes("optimizer: \u00e9t\u00e9"));

        var value = ReadSingleValue(TensorValue("config", tensor, "text"));

        value.Kind.Should().Be(TensorBoardValueKind.Text);
        value.Text.Should().Be("lr: 0.1\noptimizer: \u00e9t\u00e9");
        value.PluginName.Should().Be("text");
    }

    [Fact]
    public void Decode_HParamsWithoutValue_IsHParamsWithoutText()
    {
        var value = ReadSingleValue(WithPlugin(new Summary.Types.Value { Tag = "_hparams_/session_start_info" }, "hparams", [0x12, 0x00]));

        value.Kind.Should().Be(TensorBoardValueKind.HParams);
        value.Text.Should().BeNull();
        value.PluginName.Should().Be("hparams");
    }

    [Fact]
    public void Decode_HParamsWithTensor_IsHParams()
    {
        var tensor = Tensor(DataType.DtFloat);
        tensor.FloatVal.Add(0);

        ReadSingleValue(TensorValue("_hparams_/experiment", tensor, "hparams")).Kind.Should().Be(TensorBoardValueKind.HParams);
    }

    [Fact]
    public void Decode_SummaryImage_ReportsItsSize()
    {
        var image = new Summary.Types.Image { Width = 28, Height = 14, Colorspace = 1, EncodedImageString = ByteString.CopyFrom(0x89, 0x50, 0x4E, 0x47) };

        var value = ReadSingleValue(new Summary.Types.Value { Tag = "sample", Image = image });

        value.Kind.Should().Be(TensorBoardValueKind.Image);
        (value.ImageWidth, value.ImageHeight).Should().Be((28, 14));
    }

    [Fact]
    public void Decode_Tf2ImageStringTensor_ParsesWidthAndHeight()
    {
        var tensor = StringTensor("640"u8.ToArray(), "480"u8.ToArray(), [0x89, 0x50, 0x4E, 0x47], [0x89, 0x50, 0x4E, 0x47]);

        var value = ReadSingleValue(TensorValue("images", tensor, "images"));

        value.Kind.Should().Be(TensorBoardValueKind.Image);
        (value.ImageWidth, value.ImageHeight).Should().Be((640, 480));
    }

    [Fact]
    public void Decode_ImageStringTensorWithUnparsableSize_IsAnImageOfUnknownSize()
    {
        var tensor = StringTensor("wide"u8.ToArray(), "-1"u8.ToArray(), [0x89]);

        var value = ReadSingleValue(TensorValue("images", tensor, "images"));

        value.Kind.Should().Be(TensorBoardValueKind.Image);
        value.ImageWidth.Should().BeNull();
        value.ImageHeight.Should().BeNull();
    }

    [Fact]
    public void Decode_Audio_IsAudio()
    {
        var values = ReadValues(
            new Summary.Types.Value { Tag = "a1", Audio = new Summary.Types.Audio { SampleRate = 16000, ContentType = "audio/wav" } },
            TensorValue("a2", StringTensor([1, 2]), "audio"));

        values.Select(v => v.Kind).Should().Equal(TensorBoardValueKind.Audio, TensorBoardValueKind.Audio);
    }

    [Fact]
    public void Decode_CustomScalarsLayout_IsATensorOfItsPlugin()
    {
        var value = ReadSingleValue(TensorValue("custom_scalars__config__", StringTensor([0x0A, 0x00]), "custom_scalars"));

        value.Kind.Should().Be(TensorBoardValueKind.Tensor);
        value.PluginName.Should().Be("custom_scalars");
    }

    [Fact]
    public void Decode_NoValueAndNoPlugin_IsUnknown() =>
        ReadSingleValue(new Summary.Types.Value { Tag = "nothing" }).Kind.Should().Be(TensorBoardValueKind.Unknown);

    [Fact]
    public void Decode_ObsoleteOldStyleHistogram_IsUnknown() =>
        ReadSingleValue(new Summary.Types.Value { Tag = "old", ObsoleteOldStyleHistogram = ByteString.CopyFrom(1, 2) })
            .Kind.Should().Be(TensorBoardValueKind.Unknown);

    [Fact]
    public void Decode_NodeNameWithoutTag_UsesTheNodeName() =>
        ReadSingleValue(new Summary.Types.Value { NodeName = "layer1/weights", SimpleValue = 1 }).Tag.Should().Be("layer1/weights");

    private TensorBoardValue ReadSingleValue(Summary.Types.Value value) => ReadValues(value).Should().ContainSingle().Subject;

    private List<TensorBoardValue> ReadValues(params Summary.Types.Value[] values)
    {
        var path = new EventFileBuilder().FileVersion().Summary(5, values).WriteTo(_directory.File("events.out.tfevents.1.test"));
        var events = TensorBoardEventFileReader.ReadAll(path).ToList();
        events.Should().HaveCount(2);
        events[1].Content.Should().Be(TensorBoardEventContent.Summary);
        events[1].Step.Should().Be(5);
        return [.. events[1].Values];
    }

    private static byte[] LittleEndianSingle(float value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return bytes;
    }
}
