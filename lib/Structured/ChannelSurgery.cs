using PruningLab.Exercises;
using PruningLab.Models;
using static TorchSharp.torch;

namespace PruningLab.Structured;

/// <summary>A BatchNorm's four per-channel tensors.</summary>
/// <param name="Weight">γ.</param>
/// <param name="Bias">β.</param>
/// <param name="RunningMean">μ, the running mean used in evaluation.</param>
/// <param name="RunningVar">σ², the running variance used in evaluation.</param>
public sealed record BatchNormState(Tensor Weight, Tensor Bias, Tensor RunningMean, Tensor RunningVar);

/// <summary>
/// Channel surgery (lesson 04): turns a choice of channels into a genuinely smaller network, with new layers of
/// fewer channels holding slices of the old weights, so that it computes with fewer multiply-accumulates instead of
/// multiplying zeros. The slicing functions work on tensors (the exercises of lesson 04); <see cref="Shrink"/> applies
/// them to every layer of a model's <see cref="ChannelCoupling"/>.
/// </summary>
public static class ChannelSurgery
{
    /// <summary>
    /// The rows <paramref name="keep"/> of a producer's weight (output channels of a convolution, neurons of a linear
    /// layer) and the same entries of its bias, as new tensors. The reference of exercise 4.1.
    /// </summary>
    /// <exception cref="ArgumentException">A kept index is out of range or repeated, or nothing is kept.</exception>
    public static (Tensor Weight, Tensor? Bias) SliceOutputs(Tensor weight, Tensor? bias, long[] keep)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ReferenceUse.Note(ReferenceUse.Surgery);
        using var index = Index(keep, weight.shape[0], "output channels");
        return (weight.detach().index_select(0, index), bias?.detach().index_select(0, index));
    }

    /// <summary>
    /// The inputs of a consumer's weight that read the kept channels: for channel c, the <paramref name="block"/>
    /// consecutive inputs c·block … c·block + block − 1 of dimension 1 (block = H×W after a flatten). The reference of exercise 4.2.
    /// </summary>
    public static Tensor SliceInputs(Tensor weight, long[] keep, int block = 1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (block < 1 || weight.shape[1] % block != 0)
            throw new ArgumentException($"The weight has {weight.shape[1]} inputs, which are not whole blocks of {block} per channel.", nameof(block));
        ReferenceUse.Note(ReferenceUse.Surgery);
        using var scope = NewDisposeScope();
        var inputs = Blocks(Index(keep, weight.shape[1] / block, "input channels"), block);
        return weight.detach().index_select(1, inputs).MoveToOuterDisposeScope();
    }

    /// <summary>The kept channels of a BatchNorm's γ, β, running mean and running variance. The reference of exercise 4.3.</summary>
    public static BatchNormState SliceBatchNorm(BatchNormState state, long[] keep)
    {
        ArgumentNullException.ThrowIfNull(state);
        ReferenceUse.Note(ReferenceUse.Surgery);
        using var index = Index(keep, state.Weight.shape[0], "BatchNorm channels");
        return new BatchNormState(state.Weight.detach().index_select(0, index), state.Bias.detach().index_select(0, index),
            state.RunningMean.detach().index_select(0, index), state.RunningVar.detach().index_select(0, index));
    }

    /// <summary>
    /// A new, smaller model of the same family that keeps only the channels <paramref name="keep"/> of each group
    /// (groups not named keep all): every producer, BatchNorm and consumer is sliced. The result has its own architecture
    /// name (e.g. <c>small-vgg-8-8-M-16-16-M-32-M</c>), so it can be saved, reloaded, copied and cached. It computes
    /// what the original computes with the other channels removed: with BatchNorm, what <see cref="ChannelPruning.Mask"/>
    /// with <c>batchNorm: true</c> computes.
    /// </summary>
    /// <exception cref="ArgumentException">A group keeps no channel, or an index is out of range or repeated.</exception>
    public static nn.Module<Tensor, Tensor> Shrink(nn.Module<Tensor, Tensor> model, IReadOnlyDictionary<string, long[]> keep, ChannelCoupling? coupling = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(keep);
        coupling ??= ChannelCoupling.For(model);
        foreach (var name in keep.Keys) _ = coupling[name];
        var slim = ModelZoo.Create(coupling.ArchitectureWith(keep.ToDictionary(p => p.Key, p => p.Value.Length)), seed: 0);
        var source = model.state_dict();
        using var noGrad = no_grad();
        foreach (var (name, target) in slim.state_dict())
        {
            using var scope = NewDisposeScope();
            var value = source[name].detach();
            foreach (var group in coupling.Groups)
            {
                if (!keep.TryGetValue(group.Name, out var kept)) continue;
                var module = name[..name.LastIndexOf('.')];
                var entry = name[(name.LastIndexOf('.') + 1)..];
                if (module == group.Producer || (module == group.BatchNorm && entry != "num_batches_tracked"))
                    value = value.index_select(0, Index(kept, value.shape[0], $"channels of '{group.Name}'"));
                var consumer = group.Consumers.FirstOrDefault(c => c.Module == module);
                if (consumer is not null && entry == "weight") value = SliceInputs(value, kept, consumer.Block);
            }
            if (!target.shape.SequenceEqual(value.shape))
                throw new InvalidOperationException($"Surgery made '{name}' [{string.Join(",", value.shape)}] for a slot of [{string.Join(",", target.shape)}]: the coupling of {model.GetName()} is incomplete.");
            target.copy_(value);
        }
        slim.train(model.training);
        return slim;
    }

    /// <summary>
    /// Permutes the channels of one group in place, in the order <paramref name="order"/> (a permutation): producer
    /// rows, bias, BatchNorm entries and consumer inputs move together, so the model computes the same function. Sorting
    /// channels by importance puts the ones to keep first (MIT's lab does so before slicing).
    /// </summary>
    public static void Reorder(nn.Module model, ChannelGroup group, long[] order)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(order);
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var channels = ChannelCoupling.WeightOf(modules[group.Producer], group.Producer).shape[0];
        if (order.Length != channels || order.Distinct().Count() != channels)
            throw new ArgumentException($"An order of '{group.Name}' must list each of its {channels} channels once; got {order.Length} entries.", nameof(order));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var index = Index(order, channels, $"channels of '{group.Name}'");
        void Permute(Tensor? t, long dim, int block = 1)
        {
            if (t is not null) t.copy_(t.index_select(dim, Blocks(index, block)));
        }
        foreach (var (name, parameter) in modules[group.Producer].named_parameters()) Permute(parameter, 0);
        if (group.BatchNorm is { } bn)
            foreach (var (name, buffer) in modules[bn].named_parameters().Select(p => (p.name, (Tensor)p.parameter))
                         .Concat(modules[bn].named_buffers().Where(b => b.name != "num_batches_tracked").Select(b => (b.name, b.buffer))))
                Permute(buffer, 0);
        foreach (var consumer in group.Consumers) Permute(ChannelCoupling.WeightOf(modules[consumer.Module], consumer.Module), 1, consumer.Block);
    }

    // Channel c of a consumer is the inputs c·block … c·block + block − 1: the input indices of the given channels, in order.
    private static Tensor Blocks(Tensor channels, int block) =>
        block == 1 ? channels : (channels.unsqueeze(1) * block + arange(block, dtype: int64).unsqueeze(0)).flatten();

    // The kept indices as an int64 tensor, checked: in range, no repeats, at least one.
    private static Tensor Index(long[] keep, long count, string what)
    {
        ArgumentNullException.ThrowIfNull(keep);
        if (keep.Length == 0) throw new ArgumentException($"Keep at least one of the {count} {what}: a layer without channels cannot compute anything.", nameof(keep));
        if (keep.Any(k => k < 0 || k >= count)) throw new ArgumentException($"Index {keep.First(k => k < 0 || k >= count)} is outside the {count} {what}.", nameof(keep));
        if (keep.Distinct().Count() != keep.Length) throw new ArgumentException($"The kept {what} repeat an index; list each channel once.", nameof(keep));
        return tensor(keep, dtype: int64);
    }
}
