using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>
/// Saves and loads every parameter and buffer of a model, bit for bit, in a small self-describing file: a
/// JSON header (architecture, names, shapes, element types) followed by the raw little-endian tensor bytes.
/// Loading into a different architecture fails with a message naming the first difference. Extra tensors (names
/// with "::", such as pruning masks) travel in the same file.
/// </summary>
public static class Checkpoint
{
    private const string Magic = "PRUNINGLAB-CKPT1";

    private sealed record Entry(string Name, long[] Shape, string DType, long Offset, long Bytes);
    private sealed record Header(string Architecture, List<Entry> Entries);

    /// <summary>Writes the model's state to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The file.</param>
    /// <param name="extras">Further named tensors to store beside the state (pruning masks); returned by <see cref="Load"/>.</param>
    public static void Save(nn.Module model, string path, IReadOnlyDictionary<string, Tensor>? extras = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var state = new Dictionary<string, Tensor>(model.state_dict());
        foreach (var (name, tensor) in extras ?? new Dictionary<string, Tensor>())
        {
            if (state.ContainsKey(name)) throw new ArgumentException($"The extra tensor '{name}' has the name of a model tensor.", nameof(extras));
            state[name] = tensor;
        }
        var entries = new List<Entry>();
        var blobs = new List<byte[]>();
        long offset = 0;
        using (var scope = NewDisposeScope())
            foreach (var (name, tensor) in state)
            {
                var bytes = tensor.detach().contiguous().cpu().bytes.ToArray();
                entries.Add(new Entry(name, tensor.shape, tensor.dtype.ToString(), offset, bytes.Length));
                blobs.Add(bytes);
                offset += bytes.Length;
            }
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(model.GetName(), entries));
        AtomicFile.Write(path, file =>
        {
            file.Write(Encoding.ASCII.GetBytes(Magic));
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, header.Length);
            file.Write(length);
            file.Write(header);
            foreach (var blob in blobs) file.Write(blob);
        });
    }

    /// <summary>
    /// Copies the saved state into <paramref name="model"/>, which must have the same architecture, and returns the
    /// extra tensors saved with it (empty if none).
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is truncated, or does not fit the model.</exception>
    public static IReadOnlyDictionary<string, Tensor> Load(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        var data = File.ReadAllBytes(path);
        var magic = Encoding.ASCII.GetBytes(Magic);
        if (data.Length < magic.Length + 4 || !data.AsSpan(0, magic.Length).SequenceEqual(magic))
            throw new InvalidDataException($"'{path}' is not a PruningLab checkpoint (wrong header). Delete it and save the model again.");
        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(magic.Length, 4));
        var bodyStart = magic.Length + 4 + (long)headerLength;
        if (headerLength <= 0 || bodyStart > data.Length)
            throw new InvalidDataException($"'{path}' is truncated (its header is incomplete). Delete it and save the model again.");
        var header = JsonSerializer.Deserialize<Header>(data.AsSpan(magic.Length + 4, headerLength))
                     ?? throw new InvalidDataException($"'{path}' has an empty header.");

        var state = model.state_dict();
        var extraNames = header.Entries.Select(e => e.Name).Where(n => n.Contains("::", StringComparison.Ordinal)).ToHashSet();
        var where = $"Checkpoint '{Path.GetFileName(path)}' was saved from '{header.Architecture}'; the model is '{model.GetName()}'";
        var missing = state.Keys.Except(header.Entries.Select(e => e.Name)).ToList();
        var extra = header.Entries.Select(e => e.Name).Except(state.Keys).Except(extraNames).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new InvalidDataException($"{where}: the tensors differ (missing from the file: {Describe(missing)}; not in the model: {Describe(extra)}). Load it into a {header.Architecture}.");

        using var noGrad = no_grad();
        var extras = new Dictionary<string, Tensor>();
        foreach (var entry in header.Entries)
        {
            if (extraNames.Contains(entry.Name))
            {
                if (bodyStart + entry.Offset + entry.Bytes > data.Length)
                    throw new InvalidDataException($"'{path}' is truncated: '{entry.Name}' needs {entry.Bytes} bytes at offset {entry.Offset}. Delete it and save the model again.");
                var dtype = Enum.Parse<ScalarType>(entry.DType);
                var loaded = empty(entry.Shape, dtype);
                loaded.bytes = data.AsSpan((int)(bodyStart + entry.Offset), (int)entry.Bytes);
                extras[entry.Name] = loaded.DetachFromDisposeScope();
                continue;
            }
            var target = state[entry.Name];
            if (!target.shape.SequenceEqual(entry.Shape) || target.dtype.ToString() != entry.DType)
                throw new InvalidDataException($"{where}: '{entry.Name}' is {entry.DType}[{string.Join(",", entry.Shape)}] in the file but {target.dtype}[{string.Join(",", target.shape)}] in the model.");
            if (bodyStart + entry.Offset + entry.Bytes > data.Length)
                throw new InvalidDataException($"'{path}' is truncated: '{entry.Name}' needs {entry.Bytes} bytes at offset {entry.Offset}. Delete it and save the model again.");
            using var source = empty(entry.Shape, target.dtype);
            source.bytes = data.AsSpan((int)(bodyStart + entry.Offset), (int)entry.Bytes);
            target.copy_(source);
        }
        return extras;
    }

    private static string Describe(IReadOnlyCollection<string> names) => names.Count == 0 ? "none" : string.Join(", ", names.Take(5)) + (names.Count > 5 ? ", …" : "");
}
