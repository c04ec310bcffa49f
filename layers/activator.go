package layers

// Activator names an activation function, the way Keras names them:
// Dense{Activation: ReLU}. The empty Activator is Linear. Being a name, it is
// what gets saved.
type Activator string

// The activations Profundo knows.
const (
	Linear    Activator = "linear"
	ReLU      Activator = "relu"
	LeakyReLU Activator = "leaky_relu"
	ELU       Activator = "elu"
	SELU      Activator = "selu"
	GELU      Activator = "gelu"
	Swish     Activator = "swish"
	SiLU      Activator = "silu"
	Sigmoid   Activator = "sigmoid"
	Tanh      Activator = "tanh"
	Softmax   Activator = "softmax"
	Softplus  Activator = "softplus"
)
