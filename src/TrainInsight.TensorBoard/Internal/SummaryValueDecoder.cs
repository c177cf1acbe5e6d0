using System.Diagnostics.CodeAnalysis;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using TrainInsight.TensorBoard.Protos;

namespace TrainInsight.TensorBoard.Internal;

/// <summary>Turns the values of a parsed <c>Summary</c> into <see cref="TensorBoardValue"/>s (see docs/tensorboard.md).</summary>
internal static class SummaryValueDecoder
{
    public const string ScalarsPlugin = "scalars";
    public const string HistogramsPlugin = "histograms";
    public const string TextPlugin = "text";
    public const string ImagesPlugin = "images";
    public const string AudioPlugin = "audio";
    public const string HParamsPlugin = "hparams";

    public static ReadOnlySpan<byte> HParamsPluginUtf8 => "hparams"u8;

    public static TensorBoardValue[] Decode(Summary summary)
    {
        var source = summary.Value;
        if (source.Count == 0)
        {
            return [];
        }

        var values = new TensorBoardValue[source.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Decode(source[i]);
        }

        return values;
    }

    private static TensorBoardValue Decode(Summary.Types.Value value)
    {
        // TF1 summaries may name the value by node_name only.
        var tag = value.Tag.Length > 0 ? value.Tag : value.NodeName;
        var pluginName = value.Metadata?.PluginData?.PluginName;
        if (string.IsNullOrEmpty(pluginName))
        {
            pluginName = null;
        }

        if (pluginName == HParamsPlugin)
        {
            return new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.HParams, PluginName = pluginName };
        }

        switch (value.ValueCase)
        {
            case Summary.Types.Value.ValueOneofCase.SimpleValue:
                return new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Scalar, Value = value.SimpleValue, PluginName = pluginName };
            case Summary.Types.Value.ValueOneofCase.Histo:
                return new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Histogram, Histogram = FromHistogramProto(value.Histo), PluginName = pluginName };
            case Summary.Types.Value.ValueOneofCase.Image:
                return new TensorBoardValue
                {
                    Tag = tag,
                    Kind = TensorBoardValueKind.Image,
                    ImageWidth = value.Image.Width,
                    ImageHeight = value.Image.Height,
                    PluginName = pluginName,
                };
            case Summary.Types.Value.ValueOneofCase.Audio:
                return new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Audio, PluginName = pluginName };
            case Summary.Types.Value.ValueOneofCase.Tensor:
                return DecodeTensor(tag, pluginName, value.Tensor);
            default:
                // No value at all, or an obsolete old-style histogram.
                return new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Unknown, PluginName = pluginName };
        }
    }

    private static TensorBoardValue DecodeTensor(string tag, string? pluginName, TensorProto tensor)
    {
        switch (pluginName)
        {
            case ScalarsPlugin:
                return TryGetSingleNumber(tensor, requireRankZero: false, out var number)
                    ? new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Scalar, Value = number, PluginName = pluginName }
                    : Unknown(tag, pluginName);
            case HistogramsPlugin:
                return TryGetHistogram(tensor, out var histogram)
                    ? new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Histogram, Histogram = histogram, PluginName = pluginName }
                    : Unknown(tag, pluginName);
            case TextPlugin:
                return tensor.Dtype == DataType.DtString
                    ? new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Text, Text = JoinStrings(tensor.StringVal), PluginName = pluginName }
                    : Unknown(tag, pluginName);
            case ImagesPlugin:
                if (tensor.Dtype != DataType.DtString)
                {
                    return Unknown(tag, pluginName);
                }

                // [width, height, encoded image, ...] as decimal strings.
                var strings = tensor.StringVal;
                return new TensorBoardValue
                {
                    Tag = tag,
                    Kind = TensorBoardValueKind.Image,
                    ImageWidth = strings.Count >= 2 ? ParseDimension(strings[0]) : null,
                    ImageHeight = strings.Count >= 2 ? ParseDimension(strings[1]) : null,
                    PluginName = pluginName,
                };
            case AudioPlugin:
                return new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Audio, PluginName = pluginName };
            case null:
                return TryGetSingleNumber(tensor, requireRankZero: true, out var plain)
                    ? new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Scalar, Value = plain }
                    : new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Tensor };
            default:
                return new TensorBoardValue { Tag = tag, Kind = TensorBoardValueKind.Tensor, PluginName = pluginName };
        }
    }

    private static TensorBoardValue Unknown(string tag, string? pluginName) =>
        new() { Tag = tag, Kind = TensorBoardValueKind.Unknown, PluginName = pluginName };

    private static TensorBoardHistogram FromHistogramProto(HistogramProto histo) => new()
    {
        Min = histo.Min,
        Max = histo.Max,
        Count = histo.Num,
        Sum = histo.Sum,
        SumSquares = histo.SumSquares,
        BucketLimits = histo.BucketLimit.ToArray(),
        BucketCounts = histo.Bucket.ToArray(),
    };

    /// <summary>
    /// A TF2 histogram: a DT_DOUBLE (or DT_FLOAT) tensor of shape [k, 3], one (left edge, right edge, count) row per
    /// bucket. The sum and the sum of squares are estimated from the bucket centres (the tensor does not carry them).
    /// </summary>
    private static bool TryGetHistogram(TensorProto tensor, [NotNullWhen(true)] out TensorBoardHistogram? histogram)
    {
        histogram = null;
        var dims = tensor.TensorShape?.Dim;
        if (dims is null || dims.Count != 2 || tensor.TensorShape!.UnknownRank || dims[1].Size != 3 || dims[0].Size < 0 || dims[0].Size > int.MaxValue / 24)
        {
            return false;
        }

        var rows = dims[0].Size;
        var content = tensor.TensorContent.Span;
        int elementSize;
        if (tensor.Dtype == DataType.DtDouble)
        {
            elementSize = 8;
            if (content.IsEmpty && tensor.DoubleVal.Count != rows * 3)
            {
                return false;
            }
        }
        else if (tensor.Dtype == DataType.DtFloat)
        {
            elementSize = 4;
            if (content.IsEmpty && tensor.FloatVal.Count != rows * 3)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (!content.IsEmpty && content.Length != rows * 3 * elementSize)
        {
            return false;   // checked against the bytes present before anything is sized by the declared shape
        }

        var count = (int)rows;
        var limits = new double[count];
        var counts = new double[count];
        double total = 0, sum = 0, sumSquares = 0, min = 0, max = 0;
        for (var i = 0; i < count; i++)
        {
            var left = Element(tensor, content, elementSize, (i * 3) + 0);
            var right = Element(tensor, content, elementSize, (i * 3) + 1);
            var n = Element(tensor, content, elementSize, (i * 3) + 2);
            if (i == 0)
            {
                min = left;
            }

            max = right;
            limits[i] = right;
            counts[i] = n;
            var centre = (left + right) / 2;
            total += n;
            sum += n * centre;
            sumSquares += n * centre * centre;
        }

        histogram = new TensorBoardHistogram
        {
            Min = min,
            Max = max,
            Count = total,
            Sum = sum,
            SumSquares = sumSquares,
            BucketLimits = limits,
            BucketCounts = counts,
        };
        return true;
    }

    private static double Element(TensorProto tensor, ReadOnlySpan<byte> content, int elementSize, int index) =>
        content.IsEmpty
            ? (elementSize == 8 ? tensor.DoubleVal[index] : tensor.FloatVal[index])
            : (elementSize == 8
                ? BinaryPrimitives.ReadDoubleLittleEndian(content.Slice(index * 8, 8))
                : BinaryPrimitives.ReadSingleLittleEndian(content.Slice(index * 4, 4)));

    /// <summary>
    /// Reads the only element of a numeric tensor: from tensor_content (little-endian) when present, otherwise from the
    /// typed field of its dtype. With <paramref name="requireRankZero"/> the shape must be rank 0; otherwise any shape
    /// of exactly one element.
    /// </summary>
    internal static bool TryGetSingleNumber(TensorProto tensor, bool requireRankZero, out double value)
    {
        value = 0;
        var shape = tensor.TensorShape;
        if (shape is not null)
        {
            if (shape.UnknownRank || (requireRankZero && shape.Dim.Count > 0))
            {
                return false;
            }

            foreach (var dim in shape.Dim)
            {
                if (dim.Size != 1)
                {
                    return false;
                }
            }
        }

        var content = tensor.TensorContent.Span;
        if (!content.IsEmpty)
        {
            return TryReadElement(tensor.Dtype, content, out value);
        }

        switch (tensor.Dtype)
        {
            case DataType.DtFloat when tensor.FloatVal.Count > 0:
                value = tensor.FloatVal[0];
                return true;
            case DataType.DtDouble when tensor.DoubleVal.Count > 0:
                value = tensor.DoubleVal[0];
                return true;
            case DataType.DtHalf when tensor.HalfVal.Count > 0:
                value = (double)BitConverter.UInt16BitsToHalf((ushort)tensor.HalfVal[0]);
                return true;
            case DataType.DtBfloat16 when tensor.HalfVal.Count > 0:
                value = BitConverter.UInt32BitsToSingle((uint)(ushort)tensor.HalfVal[0] << 16);
                return true;
            case DataType.DtInt32 or DataType.DtInt16 or DataType.DtInt8 or DataType.DtUint8 or DataType.DtUint16 when tensor.IntVal.Count > 0:
                value = tensor.IntVal[0];
                return true;
            case DataType.DtInt64 when tensor.Int64Val.Count > 0:
                value = tensor.Int64Val[0];
                return true;
            case DataType.DtUint32 when tensor.Uint32Val.Count > 0:
                value = tensor.Uint32Val[0];
                return true;
            case DataType.DtUint64 when tensor.Uint64Val.Count > 0:
                value = tensor.Uint64Val[0];
                return true;
            case DataType.DtBool when tensor.BoolVal.Count > 0:
                value = tensor.BoolVal[0] ? 1 : 0;
                return true;
            default:
                return false;
        }
    }

    private static bool TryReadElement(DataType dtype, ReadOnlySpan<byte> content, out double value)
    {
        value = 0;
        switch (dtype)
        {
            case DataType.DtFloat when content.Length == 4:
                value = BinaryPrimitives.ReadSingleLittleEndian(content);
                return true;
            case DataType.DtDouble when content.Length == 8:
                value = BinaryPrimitives.ReadDoubleLittleEndian(content);
                return true;
            case DataType.DtHalf when content.Length == 2:
                value = (double)BinaryPrimitives.ReadHalfLittleEndian(content);
                return true;
            case DataType.DtBfloat16 when content.Length == 2:
                value = BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(content) << 16);
                return true;
            case DataType.DtInt32 when content.Length == 4:
                value = BinaryPrimitives.ReadInt32LittleEndian(content);
                return true;
            case DataType.DtInt64 when content.Length == 8:
                value = BinaryPrimitives.ReadInt64LittleEndian(content);
                return true;
            case DataType.DtInt16 when content.Length == 2:
                value = BinaryPrimitives.ReadInt16LittleEndian(content);
                return true;
            case DataType.DtUint16 when content.Length == 2:
                value = BinaryPrimitives.ReadUInt16LittleEndian(content);
                return true;
            case DataType.DtInt8 when content.Length == 1:
                value = (sbyte)content[0];
                return true;
            case DataType.DtUint8 when content.Length == 1:
                value = content[0];
                return true;
            case DataType.DtBool when content.Length == 1:
                value = content[0] != 0 ? 1 : 0;
                return true;
            case DataType.DtUint32 when content.Length == 4:
                value = BinaryPrimitives.ReadUInt32LittleEndian(content);
                return true;
            case DataType.DtUint64 when content.Length == 8:
                value = BinaryPrimitives.ReadUInt64LittleEndian(content);
                return true;
            default:
                return false;
        }
    }

    private static string JoinStrings(Google.Protobuf.Collections.RepeatedField<ByteString> strings)
    {
        if (strings.Count == 1)
        {
            return Encoding.UTF8.GetString(strings[0].Span);
        }

        var builder = new StringBuilder();
        for (var i = 0; i < strings.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('\n');
            }

            builder.Append(Encoding.UTF8.GetString(strings[i].Span));
        }

        return builder.ToString();
    }

    private static int? ParseDimension(ByteString text) =>
        int.TryParse(text.Span, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : null;
}
