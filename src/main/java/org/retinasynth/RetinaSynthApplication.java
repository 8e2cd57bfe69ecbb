package org.retinasynth;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class RetinaSynthApplication {

    public static void main(String[] args) {
        SpringApplication.run(RetinaSynthApplication.class, args);
    }
}
