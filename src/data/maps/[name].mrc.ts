import { writeBundledMap } from "../../../data-loaders/site/site-bundled-maps.js";

writeBundledMap("mrc");
