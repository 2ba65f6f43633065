// Renderer bootstrap: mounts the Studio App with Pinia, the chart.js registrations and the global styles.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import './lib/chart-setup';
import './styles/app.css';

createApp(App).use(createPinia()).mount('#app');
