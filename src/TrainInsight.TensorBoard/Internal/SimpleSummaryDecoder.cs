using System.Diagnostics.CodeAnalysis;
using System.Text.Unicode;

namespace TrainInsight.TensorBoard.Internal;

/// <summary>
/// The fast path of summary decoding: a summary whose every value is a plain <c>simple_value</c> scalar (a tag or a
/// node name, the value, optionally metadata naming a plugin), by far the most common record in real event files, is
/// decoded straight from the wire, without the generated protobuf objects, with tags from a <see cref="StringCache"/>.
/// </summary>
/// <remarks>
/// It accepts only a strict subset of what the generated parser accepts — each field at most once, no unknown fields,
/// valid UTF-8 — and gives the same result on it; on anything else it declines (<see cref="TryDecode"/> returns false)
/// and the caller uses the generated parser, which also decides what is unreadable.
/// </remarks>
internal static class SimpleSummaryDecoder
{
    private const int ValueField = 1;

    private const int TagField = 1;
    private const int SimpleValueField = 2;
    private const int NodeNameField = 7;
    private const int MetadataField = 9;

    private const int PluginDataField = 1;
    private const int DisplayNameField = 2;
    private const int SummaryDescriptionField = 3;
    private const int DataClassField = 4;

    private const int PluginNameField = 1;
    private const int PluginContentField = 2;

    /// <summary>Decodes a serialized <c>Summary</c> of plain scalars; false to leave it to the generated parser.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> summary, StringCache strings, out TensorBoardValue[] values)
    {
        values = [];
        var count = 0;
        var reader = new WireReader(summary);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType) || field != ValueField || wireType != WireReader.WireLengthDelimited
                || !reader.TryReadLengthDelimited(out _))
            {
                return false;
            }

            count++;
        }

        if (count == 0)
        {
            return true;
        }

        var decoded = new TensorBoardValue[count];
        reader = new WireReader(summary);
        for (var i = 0; i < count; i++)
        {
            reader.TryReadTag(out _, out _);
            reader.TryReadLengthDelimited(out var value);
            if (!TryDecodeValue(value, strings, out var item))
            {
                return false;
            }

            decoded[i] = item;
        }

        values = decoded;
        return true;
    }

    private static bool TryDecodeValue(ReadOnlySpan<byte> data, StringCache strings, [NotNullWhen(true)] out TensorBoardValue? value)
    {
        value = null;
        ReadOnlySpan<byte> tag = default, nodeName = default, pluginName = default;
        bool hasTag = false, hasNodeName = false, hasMetadata = false, hasSimpleValue = false;
        float simpleValue = 0;
        var reader = new WireReader(data);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            switch (field)
            {
                case TagField when wireType == WireReader.WireLengthDelimited && !hasTag:
                    hasTag = reader.TryReadLengthDelimited(out tag);
                    if (!hasTag)
                    {
                        return false;
                    }

                    break;
                case NodeNameField when wireType == WireReader.WireLengthDelimited && !hasNodeName:
                    hasNodeName = reader.TryReadLengthDelimited(out nodeName);
                    if (!hasNodeName)
                    {
                        return false;
                    }

                    break;
                case SimpleValueField when wireType == WireReader.WireFixed32 && !hasSimpleValue:
                    hasSimpleValue = reader.TryReadFixed32(out var bits);
                    if (!hasSimpleValue)
                    {
                        return false;
                    }

                    simpleValue = BitConverter.UInt32BitsToSingle(bits);
                    break;
                case MetadataField when wireType == WireReader.WireLengthDelimited && !hasMetadata:
                    hasMetadata = reader.TryReadLengthDelimited(out var metadata) && TryReadMetadata(metadata, out pluginName);
                    if (!hasMetadata)
                    {
                        return false;
                    }

                    break;
                default:
                    return false;
            }
        }

        if (!hasSimpleValue || !Utf8.IsValid(tag) || !Utf8.IsValid(nodeName) || !Utf8.IsValid(pluginName)
            || pluginName.SequenceEqual(SummaryValueDecoder.HParamsPluginUtf8))
        {
            return false;
        }

        value = new TensorBoardValue
        {
            Tag = strings.Get(tag.IsEmpty ? nodeName : tag),
            Kind = TensorBoardValueKind.Scalar,
            Value = simpleValue,
            PluginName = pluginName.IsEmpty ? null : strings.Get(pluginName),
        };
        return true;
    }

    private static bool TryReadMetadata(ReadOnlySpan<byte> metadata, out ReadOnlySpan<byte> pluginName)
    {
        pluginName = default;
        bool hasPluginData = false, hasDisplayName = false, hasDescription = false, hasDataClass = false;
        var reader = new WireReader(metadata);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            ReadOnlySpan<byte> text;
            switch (field)
            {
                case PluginDataField when wireType == WireReader.WireLengthDelimited && !hasPluginData:
                    hasPluginData = reader.TryReadLengthDelimited(out var pluginData) && TryReadPluginData(pluginData, out pluginName);
                    if (!hasPluginData)
                    {
                        return false;
                    }

                    break;
                case DisplayNameField when wireType == WireReader.WireLengthDelimited && !hasDisplayName:
                    hasDisplayName = reader.TryReadLengthDelimited(out text) && Utf8.IsValid(text);
                    if (!hasDisplayName)
                    {
                        return false;
                    }

                    break;
                case SummaryDescriptionField when wireType == WireReader.WireLengthDelimited && !hasDescription:
                    hasDescription = reader.TryReadLengthDelimited(out text) && Utf8.IsValid(text);
                    if (!hasDescription)
                    {
                        return false;
                    }

                    break;
                case DataClassField when wireType == WireReader.WireVarint && !hasDataClass:
                    hasDataClass = reader.TryReadVarint(out _);
                    if (!hasDataClass)
                    {
                        return false;
                    }

                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    private static bool TryReadPluginData(ReadOnlySpan<byte> pluginData, out ReadOnlySpan<byte> pluginName)
    {
        pluginName = default;
        bool hasName = false, hasContent = false;
        var reader = new WireReader(pluginData);
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType) || wireType != WireReader.WireLengthDelimited)
            {
                return false;
            }

            switch (field)
            {
                case PluginNameField when !hasName:
                    hasName = reader.TryReadLengthDelimited(out pluginName);
                    if (!hasName)
                    {
                        return false;
                    }

                    break;
                case PluginContentField when !hasContent:
                    hasContent = reader.TryReadLengthDelimited(out _);
                    if (!hasContent)
                    {
                        return false;
                    }

                    break;
                default:
                    return false;
            }
        }

        return true;
    }
}
