using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// The assistant's conversations in <c>conversation_messages</c>: appends (on the write connection, under the store's
/// write gate) and reads (on a pooled read connection). Like <see cref="InMemoryMetricStore"/>, a conversation keeps at
/// most <see cref="InMemoryMetricStore.MaxConversationMessages"/> messages; beyond it the oldest are removed.
/// </summary>
internal static class SqliteConversations
{
    /// <summary>Appends the messages, in order, and trims their conversations, in one transaction: all, or (throwing) none.</summary>
    /// <param name="connection">The write connection.</param>
    /// <param name="messages">The messages, oldest first; at least one.</param>
    /// <exception cref="SqliteException">The database could not be written; nothing was.</exception>
    public static void Write(SqliteConnection connection, IReadOnlyList<ConversationMessage> messages)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO conversation_messages (run_id, conversation_id, role, text, timestamp, source)
                VALUES ($run, $conversation, $role, $text, $timestamp, $source);
                """;
            var p = insert.Parameters;
            foreach (var name in (ReadOnlySpan<string>)["$run", "$conversation", "$role", "$text", "$timestamp", "$source"])
            {
                p.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
            }

            insert.Prepare();
            foreach (var message in messages)
            {
                p[0].Value = message.RunId;
                p[1].Value = message.ConversationId;
                p[2].Value = message.Role.ToString();
                p[3].Value = message.Text;
                p[4].Value = StoredValues.ToTicks(message.Timestamp);
                p[5].Value = message.Source is { } source ? source.ToString() : DBNull.Value;
                insert.ExecuteNonQuery();
            }
        }

        // The newest message beyond the cap: it and everything older in its conversation goes.
        using (var trim = connection.CreateCommand())
        {
            trim.Transaction = transaction;
            trim.CommandText = """
                DELETE FROM conversation_messages
                WHERE run_id = $run AND conversation_id = $conversation AND message_order <= (
                    SELECT message_order FROM conversation_messages
                    WHERE run_id = $run AND conversation_id = $conversation
                    ORDER BY message_order DESC LIMIT 1 OFFSET $max);
                """;
            var run = trim.Parameters.Add(new SqliteParameter { ParameterName = "$run", Value = DBNull.Value });
            var conversation = trim.Parameters.Add(new SqliteParameter { ParameterName = "$conversation", Value = DBNull.Value });
            trim.Parameters.AddWithValue("$max", InMemoryMetricStore.MaxConversationMessages);
            foreach (var (runId, conversationId) in messages.Select(m => (m.RunId, m.ConversationId)).Distinct())
            {
                run.Value = runId;
                conversation.Value = conversationId;
                trim.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    /// <summary>Reads the latest <paramref name="limit"/> messages of one conversation, oldest first.</summary>
    /// <exception cref="InvalidDataException">A row holds something this store never writes.</exception>
    public static async Task<List<ConversationMessage>> ReadAsync(
        SqliteConnection connection, string runId, string conversationId, int limit, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT role, text, timestamp, source FROM (
                SELECT message_order, role, text, timestamp, source FROM conversation_messages
                WHERE run_id = $run AND conversation_id = $conversation
                ORDER BY message_order DESC LIMIT $limit)
            ORDER BY message_order;
            """;
        command.Parameters.AddWithValue("$run", runId);
        command.Parameters.AddWithValue("$conversation", conversationId);
        command.Parameters.AddWithValue("$limit", limit);
        var result = new List<ConversationMessage>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                result.Add(new ConversationMessage
                {
                    RunId = runId,
                    ConversationId = conversationId,
                    Role = FindingJson.ParseName<ConversationRole>(reader.GetString(0)),
                    Text = reader.GetString(1),
                    Timestamp = StoredValues.FromTicks(reader.GetInt64(2)),
                    Source = reader.IsDBNull(3) ? null : FindingJson.ParseName<AssistantSource>(reader.GetString(3)),
                });
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"A stored message of conversation '{conversationId}' of run '{runId}' is not what this store writes: {ex.Message}", ex);
            }
        }

        return result;
    }
}
