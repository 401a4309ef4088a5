// The Process Inspector: definitions, instances and one instance in depth.
// This module and everything it imports (bpmn-js) load only on inspector routes.
import { Navigate, Route, Routes } from 'react-router';
import { ProcessList, ProcessView } from './Processes';
import { InstanceList } from './InstanceList';
import { InstanceView } from './InstanceView';

export default function Inspector() {
  return (
    <Routes>
      <Route index element={<Navigate to="instances" replace />} />
      <Route path="processes" element={<ProcessList />} />
      <Route path="processes/:processDefinitionKey" element={<ProcessView />} />
      <Route path="instances" element={<InstanceList />} />
      <Route path="instances/:processInstanceKey" element={<InstanceView />} />
    </Routes>
  );
}
