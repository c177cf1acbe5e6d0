using System.Text;
using Google.Protobuf;
using TrainInsight.TensorBoard.Protos;

namespace TrainInsight.TensorBoard.Internal;

/// <summary>
/// Decodes one record's payload (a serialized <c>Event</c>) into a <see cref="TensorBoardEvent"/>.
/// </summary>
/// <remarks>
/// The top level of the event is scanned by hand, so that the large opaque payloads (graph_def, meta_graph_def) are
/// skipped instead of copied; summaries of plain scalars take <see cref="SimpleSummaryDecoder"/>'s fast path; other
/// summaries and the small sub-messages are parsed with the generated protobuf parsers, which skip unknown fields. Anything malformed makes the whole record unreadable (<see cref="TryDecode"/> returns
/// false); nothing throws.
/// </remarks>
internal static class EventDecoder
{
    private const int WallTimeField = 1;
    private const int StepField = 2;
    private const int FileVersionField = 3;
    private const int GraphDefField = 4;
    private const int SummaryField = 5;
    private const int LogMessageField = 6;
    private const int SessionLogField = 7;
    private const int TaggedRunMetadataField = 8;
    private const int MetaGraphDefField = 9;
    private const int SourceMetadataField = 10;

    private static readonly MessageParser<Summary> s_summaryParser = Summary.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<LogMessage> s_logMessageParser = LogMessage.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<SessionLog> s_sessionLogParser = SessionLog.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<TaggedRunMetadata> s_taggedRunMetadataParser = TaggedRunMetadata.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<SourceMetadata> s_sourceMetadataParser = SourceMetadata.Parser.WithDiscardUnknownFields(true);

    /// <summary>Decodes an event; false when the payload is not a valid serialized event.</summary>
    /// <param name="payload">The record's data.</param>
    /// <param name="strings">The reader's cache of tag and plugin-name strings.</param>
    /// <param name="result">The event.</param>
    /// <param name="fastPath">Whether summaries of plain scalars may skip the generated parser (tests compare both).</param>
    public static bool TryDecode(ReadOnlySpan<byte> payload, StringCache strings, out TensorBoardEvent? result, bool fastPath = true)
    {
        result = null;
        try
        {
            return TryDecodeCore(payload, strings, fastPath, out result);
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static bool TryDecodeCore(ReadOnlySpan<byte> payload, StringCache strings, bool fastPath, out TensorBoardEvent? result)
    {
        result = null;
        var reader = new WireReader(payload);
        double wallTime = 0;
        long step = 0;
        string? fileVersion = null;
        TensorBoardEventContent? content = null;
        var unknownFields = false;
        TensorBoardValue[] values = [];

        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (field == WallTimeField && wireType == WireReader.WireFixed64)
            {
                if (!reader.TryReadFixed64(out var bits))
                {
                    return false;
                }

                wallTime = BitConverter.UInt64BitsToDouble(bits);
                continue;
            }

            if (field == StepField && wireType == WireReader.WireVarint)
            {
                if (!reader.TryReadVarint(out var raw))
                {
                    return false;
                }

                step = (long)raw;
                continue;
            }

            if (wireType != WireReader.WireLengthDelimited || field < FileVersionField || field > SourceMetadataField)
            {
                // Unknown to this reader (or a known number with an unexpected wire type, which protobuf also treats as unknown).
                unknownFields = true;
                if (!reader.TrySkip(field, wireType))
                {
                    return false;
                }

                continue;
            }

            if (!reader.TryReadLengthDelimited(out var bytes))
            {
                return false;
            }

            switch (field)
            {
                case FileVersionField:
                    fileVersion = Encoding.UTF8.GetString(bytes);
                    content = TensorBoardEventContent.FileVersion;
                    break;
                case GraphDefField:
                    content = TensorBoardEventContent.GraphDef;
                    break;
                case SummaryField:
                    // A message field repeated on the wire merges; another member of the oneof in between replaces it.
                    if (!fastPath || !SimpleSummaryDecoder.TryDecode(bytes, strings, out var decoded))
                    {
                        decoded = SummaryValueDecoder.Decode(s_summaryParser.ParseFrom(bytes));
                    }

                    values = content == TensorBoardEventContent.Summary ? [.. values, .. decoded] : decoded;
                    content = TensorBoardEventContent.Summary;
                    break;
                case LogMessageField:
                    s_logMessageParser.ParseFrom(bytes);
                    content = TensorBoardEventContent.LogMessage;
                    break;
                case SessionLogField:
                    s_sessionLogParser.ParseFrom(bytes);
                    content = TensorBoardEventContent.SessionLog;
                    break;
                case TaggedRunMetadataField:
                    s_taggedRunMetadataParser.ParseFrom(bytes);
                    content = TensorBoardEventContent.RunMetadata;
                    break;
                case MetaGraphDefField:
                    content = TensorBoardEventContent.MetaGraphDef;
                    break;
                case SourceMetadataField:
                    s_sourceMetadataParser.ParseFrom(bytes);
                    break;
            }

            if (field != FileVersionField && field != SourceMetadataField)
            {
                fileVersion = null;
            }

            if (content != TensorBoardEventContent.Summary)
            {
                values = [];
            }
        }

        result = new TensorBoardEvent
        {
            WallTime = wallTime,
            Step = step,
            FileVersion = fileVersion,
            Content = content ?? (unknownFields ? TensorBoardEventContent.Other : TensorBoardEventContent.Empty),
            Values = values,
        };
        return true;
    }
}
