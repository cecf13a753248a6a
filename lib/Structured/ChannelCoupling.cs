using PruningLab.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PruningLab.Structured;

/// <summary>
/// A layer that reads a group's channels: the input dimension (dim 1) of its weight, <paramref name="Block"/> inputs
/// per channel. Block is 1 from a convolution or linear layer and after global average pooling; after a flatten it is
/// the number of positions per channel (H×W: 25 for LeNet-5's conv2 → fc1).
/// </summary>
/// <param name="Module">The consuming module, e.g. <c>features.conv2</c> or <c>fc1</c>.</param>
/// <param name="Block">Consecutive inputs per channel.</param>
public sealed record ChannelConsumer(string Module, int Block = 1);

/// <summary>
/// One set of channels that is pruned as a whole (lesson 04): the output channels of <paramref name="Producer"/>
/// (rows of its weight, entries of its bias), the same entries of the BatchNorm that follows it, and the inputs of
/// every layer that reads them.
/// </summary>
/// <param name="Producer">The convolution or linear layer whose outputs are the channels; the group is named after it.</param>
/// <param name="BatchNorm">The BatchNorm over these channels, if any (γ, β, running mean and variance are sliced with them).</param>
/// <param name="Consumers">The layers whose inputs are these channels.</param>
public sealed record ChannelGroup(string Producer, string? BatchNorm, IReadOnlyList<ChannelConsumer> Consumers)
{
    /// <summary>The group's name: its producer's.</summary>
    public string Name => Producer;
}

/// <summary>
/// Which channels of a model are coupled (lesson 04). TorchSharp has no tracer that could discover it, so each course
/// architecture describes its own coupling here: a short list of <see cref="ChannelGroup"/>s, checked against the
/// model's modules and shapes. Surgery (<see cref="ChannelSurgery"/>) and channel pruning (<see cref="ChannelPruning"/>)
/// read it; nothing else needs to know the architecture.
/// </summary>
public sealed class ChannelCoupling
{
    private readonly Func<IReadOnlyDictionary<string, int>, string> architecture;

    private ChannelCoupling(nn.Module model, IReadOnlyList<ChannelGroup> groups, IReadOnlyList<string> outputs, Func<IReadOnlyDictionary<string, int>, string> architecture)
    {
        Groups = groups;
        Outputs = outputs;
        this.architecture = architecture;
        Channels = Validate(model, groups, outputs);
    }

    /// <summary>The prunable channel groups, in model order.</summary>
    public IReadOnlyList<ChannelGroup> Groups { get; }

    /// <summary>The layers whose outputs are never pruned (the classifier: its outputs are the classes).</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The number of channels of each group, by name.</summary>
    public IReadOnlyDictionary<string, int> Channels { get; }

    /// <summary>The group named <paramref name="name"/> (its producer's module name).</summary>
    public ChannelGroup this[string name] => Groups.FirstOrDefault(g => g.Name == name)
        ?? throw new KeyNotFoundException($"No channel group '{name}'. Groups: {string.Join(", ", Groups.Select(g => g.Name))}.");

    /// <summary>The architecture name of the same network with the given channels per group (others unchanged).</summary>
    public string ArchitectureWith(IReadOnlyDictionary<string, int> channels)
    {
        var all = Groups.ToDictionary(g => g.Name, g => channels.TryGetValue(g.Name, out var c) ? c : Channels[g.Name]);
        return architecture(all);
    }

    /// <summary>
    /// The coupling of a course architecture: <see cref="SmallVgg"/> (conv → BatchNorm → next conv; the last conv →
    /// global average pooling → classifier), <see cref="LeNet5"/> (conv2 → flatten → fc1, 25 inputs per channel) and the
    /// fully connected <see cref="LeNet300100"/> and <see cref="Mlp"/> (each hidden neuron → the next layer's input).
    /// </summary>
    /// <exception cref="ArgumentException">Another model: describe it with <see cref="Describe"/>.</exception>
    public static ChannelCoupling For(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        switch (model)
        {
            case SmallVgg vgg:
            {
                var convs = vgg.Widths.Where(w => w > 0).Count();
                var groups = Enumerable.Range(1, convs).Select(i => new ChannelGroup($"features.conv{i}", $"features.bn{i}",
                    [new ChannelConsumer(i < convs ? $"features.conv{i + 1}" : "classifier")])).ToList();
                return new ChannelCoupling(model, groups, ["classifier"], channels =>
                {
                    var i = 0;
                    return SmallVgg.NameOf(vgg.Widths.Select(w => w == 0 ? 0 : channels[$"features.conv{++i}"]).ToList());
                });
            }
            case LeNet5:
                return new ChannelCoupling(model,
                [
                    new("conv1", null, [new("conv2")]),
                    new("conv2", null, [new("fc1", Block: 25)]),
                    new("fc1", null, [new("fc2")]),
                    new("fc2", null, [new("fc3")]),
                ], ["fc3"], c => LeNet5.NameOf([c["conv1"], c["conv2"], c["fc1"], c["fc2"]]));
            case LeNet300100 or Mlp:
            {
                var layers = model.named_children().Select(c => c.name).Where(n => n.StartsWith("fc", StringComparison.Ordinal)).ToList();
                var groups = layers.SkipLast(1).Select((n, i) => new ChannelGroup(n, null, [new ChannelConsumer(layers[i + 1])])).ToList();
                // A fully connected network with other widths is an MLP (same layer names fc1 … fcN).
                return new ChannelCoupling(model, groups, [layers[^1]], c => Mlp.NameOf(groups.Select(g => c[g.Name]).ToList(), (model as Mlp)?.Inputs ?? 784));
            }
            default:
                throw new ArgumentException($"No channel coupling is described for '{model.GetName()}'. The course describes {ModelZoo.SmallVgg}, " +
                                            $"{ModelZoo.LeNet5} and the fully connected networks; describe others with ChannelCoupling.Describe.", nameof(model));
        }
    }

    /// <summary>
    /// A coupling described by hand, checked against <paramref name="model"/>: every module exists, channel counts agree
    /// along each group, and every convolution and linear layer is either a producer or one of <paramref name="outputs"/>.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="groups">Its channel groups.</param>
    /// <param name="outputs">Layers whose outputs are not prunable (the classifier).</param>
    /// <param name="architecture">The architecture name for other channel counts, for surgery (see <see cref="ModelZoo.Create"/>).</param>
    /// <exception cref="ArgumentException">A module is missing, a count disagrees, or a layer is not covered; the message names it.</exception>
    public static ChannelCoupling Describe(nn.Module model, IReadOnlyList<ChannelGroup> groups, IReadOnlyList<string> outputs,
        Func<IReadOnlyDictionary<string, int>, string> architecture) => new(model, groups, outputs, architecture);

    /// <summary>The weight of a channel producer or consumer: a convolution's or a linear layer's.</summary>
    /// <exception cref="ArgumentException">Another kind of module; <paramref name="name"/> names it.</exception>
    internal static Tensor WeightOf(nn.Module module, string name) => module switch
    {
        Conv2d conv => conv.weight!,
        Linear linear => linear.weight!,
        _ => throw new ArgumentException($"'{name}' is a {module.GetType().Name}; channels are produced and read by Conv2d or Linear layers only."),
    };

    private static Dictionary<string, int> Validate(nn.Module model, IReadOnlyList<ChannelGroup> groups, IReadOnlyList<string> outputs)
    {
        var modules = model.named_modules().Where(m => m.name.Length > 0).ToDictionary(m => m.name, m => m.module);
        nn.Module Find(string name, string role) => modules.TryGetValue(name, out var m) ? m
            : throw new ArgumentException($"The coupling of {model.GetName()} names '{name}' as {role}, but the model has no such module. Modules: {string.Join(", ", modules.Keys)}.");
        var channels = new Dictionary<string, int>();
        foreach (var group in groups)
        {
            var count = (int)WeightOf(Find(group.Producer, "a producer"), group.Producer).shape[0];
            if (group.BatchNorm is { } bn)
            {
                var features = Find(bn, "a BatchNorm") switch
                {
                    BatchNorm2d b => b.weight!.shape[0],
                    BatchNorm1d b => b.weight!.shape[0],
                    var other => throw new ArgumentException($"'{bn}' of {model.GetName()} is a {other.GetType().Name}, not a BatchNorm."),
                };
                if (features != count) throw new ArgumentException($"'{bn}' normalises {features} channels but '{group.Producer}' outputs {count}.");
            }
            if (group.Consumers.Count == 0) throw new ArgumentException($"The channels of '{group.Producer}' go nowhere: name the layer that reads them.");
            foreach (var consumer in group.Consumers)
            {
                var inputs = WeightOf(Find(consumer.Module, "a consumer"), consumer.Module).shape[1];
                if (consumer.Block < 1 || inputs != (long)count * consumer.Block)
                    throw new ArgumentException($"'{consumer.Module}' has {inputs} inputs, but '{group.Producer}' gives {count} channels × {consumer.Block} inputs each.");
            }
            channels[group.Producer] = count;
        }
        foreach (var output in outputs) Find(output, "an output layer");
        var uncovered = modules.Where(m => m.Value is Conv2d or Linear).Select(m => m.Key)
            .Where(n => !channels.ContainsKey(n) && !outputs.Contains(n)).ToList();
        if (uncovered.Count > 0)
            throw new ArgumentException($"The coupling of {model.GetName()} does not cover {string.Join(", ", uncovered.Select(n => $"'{n}'"))}: " +
                                        "add it as a channel group (with the layers that read its outputs) or as an output layer.");
        return channels;
    }
}
