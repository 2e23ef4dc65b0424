package io.procpool.worker;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;

import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;

/**
 * Kryo's serializer for serialisable lambdas, writing the same format, with one fix: Kryo looks up a lambda's
 * capturing class through its own class loader, which fails for an application on a class loader of its own
 * ({@code mvn exec:java}, a servlet container, a plugin host). This looks it up through the lambda's own loader,
 * which is the capturing class's. Reading is Kryo's, through the Kryo's class loader.
 */
final class LambdaSerializer extends ClosureSerializer {
    @Override
    public void write(Kryo kryo, Output output, Object object) {
        SerializedLambda lambda = toSerializedLambda(object);
        int count = lambda.getCapturedArgCount();
        output.writeVarInt(count, true);
        for (int i = 0; i < count; i++) {
            kryo.writeClassAndObject(output, lambda.getCapturedArg(i));
        }
        try {
            kryo.writeClass(output, Class.forName(lambda.getCapturingClass().replace('/', '.'), false,
                    object.getClass().getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new KryoException("Error writing closure.", e);
        }
        output.writeString(lambda.getFunctionalInterfaceClass());
        output.writeString(lambda.getFunctionalInterfaceMethodName());
        output.writeString(lambda.getFunctionalInterfaceMethodSignature());
        output.writeVarInt(lambda.getImplMethodKind(), true);
        output.writeString(lambda.getImplClass());
        output.writeString(lambda.getImplMethodName());
        output.writeString(lambda.getImplMethodSignature());
        output.writeString(lambda.getInstantiatedMethodType());
    }

    private static SerializedLambda toSerializedLambda(Object lambda) {
        try {
            Method writeReplace = lambda.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            return (SerializedLambda) writeReplace.invoke(lambda);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new KryoException("Could not serialize lambda " + lambda.getClass().getName(), e);
        }
    }
}
