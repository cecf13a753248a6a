using PruningLab.Exercises;
using static TorchSharp.torch;

namespace PruningLab.Pruning;

/// <summary>The four tensors around a hidden layer of ReLU neurons, before or after dead neurons are removed.</summary>
/// <param name="WeightIn">Incoming weights [neurons, inputs].</param>
/// <param name="BiasIn">The neurons' biases [neurons].</param>
/// <param name="WeightOut">The next layer's weights [outputs, neurons].</param>
/// <param name="BiasOut">The next layer's biases [outputs].</param>
public sealed record NeuronLayer(Tensor WeightIn, Tensor BiasIn, Tensor WeightOut, Tensor BiasOut);

/// <summary>
/// Dead neurons (lesson 01): a ReLU neuron whose incoming weights are all zero no longer depends on its input. It
/// outputs the constant relu(b), so pruning its row alone does not remove it. It can go entirely, with its bias and
/// its outgoing weights, once that constant is folded into the next layer's bias: b_out += W_out[:, j] · relu(b_j).
/// The network computes exactly the same function afterwards.
/// </summary>
public static class DeadNeurons
{
    /// <summary>The neurons whose incoming weights are all exactly zero, in order.</summary>
    public static long[] Find(Tensor weightIn)
    {
        ArgumentNullException.ThrowIfNull(weightIn);
        using var scope = NewDisposeScope();
        return DeadMask(weightIn).nonzero().flatten().cpu().data<long>().ToArray();
    }

    // [neurons] bool: true where every incoming weight is exactly zero.
    private static Tensor DeadMask(Tensor weightIn) => weightIn.detach().ne(0).sum(1).eq(0);

    /// <summary>
    /// Removes the dead neurons of a ReLU layer in effect: returns new tensors (the inputs are not changed) in which
    /// each dead neuron's bias and outgoing weights are zero and its constant output relu(b) has been added, through its
    /// outgoing weights, to the next layer's bias. The reference of exercise 1.1.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public static NeuronLayer Remove(NeuronLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var (wIn, bIn, wOut, bOut) = (layer.WeightIn, layer.BiasIn, layer.WeightOut, layer.BiasOut);
        var neurons = wIn.shape[0];
        if (wIn.dim() != 2 || wOut.dim() != 2 || !bIn.shape.SequenceEqual(new[] { neurons })
            || wOut.shape[1] != neurons || !bOut.shape.SequenceEqual(new[] { wOut.shape[0] }))
            throw new ArgumentException($"Shapes do not fit a layer of ReLU neurons: weightIn [{Shape(wIn)}], biasIn [{Shape(bIn)}], weightOut [{Shape(wOut)}], biasOut [{Shape(bOut)}]; " +
                "expected [n, inputs], [n], [outputs, n], [outputs].");
        ReferenceUse.Note(ReferenceUse.DeadNeurons);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var dead = DeadMask(wIn);
        var alive = dead.logical_not().to(wIn.dtype);
        var constant = nn.functional.relu(bIn.detach()) * dead.to(bIn.dtype);        // what each dead neuron outputs
        var newBiasOut = bOut.detach() + wOut.detach().matmul(constant);
        return new NeuronLayer(
            wIn.detach().clone().MoveToOuterDisposeScope(),
            (bIn.detach() * alive).MoveToOuterDisposeScope(),
            (wOut.detach() * alive.unsqueeze(0)).MoveToOuterDisposeScope(),
            newBiasOut.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Removes the dead neurons between two linear layers of <paramref name="model"/> (e.g. <c>fc1</c> and <c>fc2</c>)
    /// in place, with <paramref name="remove"/> (the reference <see cref="Remove"/> by default, or a learner's function),
    /// and returns the dead neurons' indices.
    /// </summary>
    public static long[] RemoveBetween(nn.Module model, string layer, string next, Func<NeuronLayer, NeuronLayer>? remove = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Tensor Get(string name) => parameters.TryGetValue(name, out var p) ? p
            : throw new ArgumentException($"{model.GetName()} has no parameter '{name}'; its parameters: {string.Join(", ", parameters.Keys)}.");
        var before = new NeuronLayer(Get(layer + ".weight"), Get(layer + ".bias"), Get(next + ".weight"), Get(next + ".bias"));
        var dead = Find(before.WeightIn);
        var after = (remove ?? Remove)(before);
        foreach (var (what, from, to) in new[] { ("weightIn", before.WeightIn, after.WeightIn), ("biasIn", before.BiasIn, after.BiasIn),
                     ("weightOut", before.WeightOut, after.WeightOut), ("biasOut", before.BiasOut, after.BiasOut) })
            if (to is null || !to.shape.SequenceEqual(from.shape))
                throw new ArgumentException($"The removal returned {what} of shape [{(to is null ? "null" : Shape(to))}]; it must keep the shape [{Shape(from)}].");
        using var noGrad = no_grad();
        before.WeightIn.copy_(after.WeightIn);
        before.BiasIn.copy_(after.BiasIn);
        before.WeightOut.copy_(after.WeightOut);
        before.BiasOut.copy_(after.BiasOut);
        return dead;
    }

    /// <summary>
    /// <see cref="RemoveBetween(nn.Module, string, string, Func{NeuronLayer, NeuronLayer}?)"/> with a removal written as a
    /// function of the four tensors (the signature of exercise 1.1).
    /// </summary>
    public static long[] RemoveBetween(nn.Module model, string layer, string next,
        Func<Tensor, Tensor, Tensor, Tensor, (Tensor WeightIn, Tensor BiasIn, Tensor WeightOut, Tensor BiasOut)> remove)
    {
        ArgumentNullException.ThrowIfNull(remove);
        return RemoveBetween(model, layer, next, l =>
        {
            var (wIn, bIn, wOut, bOut) = remove(l.WeightIn, l.BiasIn, l.WeightOut, l.BiasOut);
            return new NeuronLayer(wIn, bIn, wOut, bOut);
        });
    }

    /// <summary>
    /// A smaller copy of a fully connected ReLU network (<see cref="Models.LeNet300100"/> or <see cref="Models.Mlp"/>)
    /// without the neurons that cannot matter (lesson 04): a neuron whose incoming weights are all zero goes with its bias
    /// and outgoing weights, its constant output relu(b) folded into the next layer's bias; a neuron whose outgoing weights
    /// are all zero goes with its incoming weights and bias. Removing one can make another removable, so this repeats
    /// until none is left. The copy is an <see cref="Models.Mlp"/> of the remaining widths and computes the same outputs.
    /// </summary>
    /// <exception cref="ArgumentException">Not a fully connected ReLU network of the course.</exception>
    public static nn.Module<Tensor, Tensor> Shrink(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not (Models.LeNet300100 or Models.Mlp))
            throw new ArgumentException($"Dead-neuron surgery needs a fully connected ReLU network (LeNet-300-100 or an MLP); '{model.GetName()}' is not one. " +
                                        "For convolutions, prune channels with ChannelPruning and ChannelSurgery.", nameof(model));
        var current = Models.ModelZoo.Copy(model);
        while (true)
        {
            var coupling = Structured.ChannelCoupling.For(current);
            var parameters = current.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var keep = new Dictionary<string, long[]>();
            using (no_grad())
                foreach (var group in coupling.Groups)
                {
                    using var scope = NewDisposeScope();
                    var next = group.Consumers[0].Module;
                    var (wIn, bIn) = (parameters[group.Producer + ".weight"], parameters[group.Producer + ".bias"]);
                    var (wOut, bOut) = (parameters[next + ".weight"], parameters[next + ".bias"]);
                    var deadIn = DeadMask(wIn);
                    // sum(dim: 0L), not sum(0): a literal 0 converts to ScalarType and TorchSharp would sum everything into one byte.
                    var silentOut = wOut.ne(0).sum(dim: 0L).eq(0);
                    // What a dead neuron outputs, through its outgoing weights, becomes part of the next bias.
                    bOut.add_(wOut.matmul(nn.functional.relu(bIn) * deadIn.to(bIn.dtype)));
                    var kept = deadIn.logical_or(silentOut).logical_not().nonzero().flatten().data<long>().ToArray();
                    if (kept.Length == 0)
                    {
                        // No neuron left: keep the first, silenced (its constant is in the next bias already); a layer needs a width.
                        wOut.select(1, 0).zero_();
                        kept = [0];
                    }
                    if (kept.Length < coupling.Channels[group.Name]) keep[group.Name] = kept;
                }
            if (keep.Count == 0) return current;
            var smaller = Structured.ChannelSurgery.Shrink(current, keep, coupling);
            current.Dispose();
            current = smaller;
        }
    }

    private static string Shape(Tensor t) => string.Join(",", t.shape);
}
